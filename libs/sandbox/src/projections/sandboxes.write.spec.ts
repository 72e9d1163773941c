import { projectSandboxEvent, ProjectableSandboxEvent } from './sandboxes.write';

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
    expect(sql.text).toMatch(/^with appended \(stream_version, global_position, recorded_at, replayed\) as \(values \(\$9::integer, \$10::bigint, \$11::timestamptz, false\)\) insert into sandboxes/);
    expect(sql.text).toMatch(/where not a.replayed\s+on conflict \(id\) do nothing/);
    expect(sql.values).toEqual([id, 'ns-a', 'n', 'wasi', 'persistent', '{"memoryMb":1,"timeoutMs":2,"maxOutputBytes":3}', '{"a":"b"}', 'key-1', 1, 42, at]);
  });

  it.each([
    ['sandbox_started', 'running'],
    ['sandbox_stopped', 'stopped'],
    ['sandbox_deleted', 'deleted'],
  ] as const)('%s moves the row to %s only when the event is newer than the row', (type, state) => {
    const sql = projectSandboxEvent({ ...base, streamVersion: 3, globalPosition: 50, event: { type, data: { sandboxId: id } } });
    expect(sql.text).toMatch(/\) update sandboxes s set state = \$2::text, version = a.stream_version/);
    expect(sql.text).toMatch(/where s.id = \$1::uuid and s.version < a.stream_version and not a.replayed/);
    expect(sql.values).toEqual([id, state, 3, 50, at]);
  });
});
