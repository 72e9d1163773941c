import { projectSandboxEvent, ProjectableSandboxEvent } from './sandboxes.projection';

const id = '0b8f1f4e-8d7e-4d8c-9d1c-2c3f4a5b6c7d';
const at = new Date('2026-11-25T10:00:00.000Z');
const base = { namespace: 'ns-a', recordedAt: at, metadata: { actor: 'key-1' } };

describe('sandboxes projection (pure)', () => {
  it('sandbox_created inserts a created row with the policy, actor and positions', () => {
    const e: ProjectableSandboxEvent = {
      ...base,
      streamVersion: 1,
      globalPosition: 42,
      event: {
        type: 'sandbox_created',
        data: { sandboxId: id, name: 'n', runtime: 'wasi', mode: 'persistent', limits: { memoryMb: 1, timeoutMs: 2, maxOutputBytes: 3 }, labels: { a: 'b' } },
      },
    };
    const sql = projectSandboxEvent(e);
    expect(sql.text).toMatch(/^insert into sandboxes/);
    expect(sql.text).toMatch(/on conflict \(id\) do nothing/);
    expect(sql.values).toEqual([id, 'ns-a', 'n', 'wasi', 'persistent', '{"memoryMb":1,"timeoutMs":2,"maxOutputBytes":3}', '{"a":"b"}', 1, 'key-1', at, 42]);
  });

  it.each([
    ['sandbox_started', 'running'],
    ['sandbox_stopped', 'stopped'],
    ['sandbox_deleted', 'deleted'],
  ] as const)('%s moves the row to %s only when the event is newer than the row', (type, state) => {
    const sql = projectSandboxEvent({ ...base, streamVersion: 3, globalPosition: 50, event: { type, data: { sandboxId: id } } });
    expect(sql.text).toMatch(/^update sandboxes set state = \$2/);
    expect(sql.text).toMatch(/where id = \$1 and version < \$3/);
    expect(sql.values).toEqual([id, state, 3, at, 50]);
  });
});
