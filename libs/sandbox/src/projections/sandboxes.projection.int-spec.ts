import { randomUUID } from 'node:crypto';
import { EventStore, RecordedEvent } from '@cave/event-store';
import { createTestDatabase, TestDatabase } from '@cave/testing';
import { withDefaultLimits } from '../domain/sandbox-limits';
import { SANDBOX_STREAM_TYPE, SandboxEvent, sandboxStreamId } from '../contracts/sandbox.events';
import { sandboxesProjection } from './sandboxes.projection';
import { projectSandboxEvent } from './sandboxes.write';

/**
 * The async projector skips what the commands already wrote inline and applies only what a row lacks, in
 * one round trip. Whatever the table held before, the result is the full application of the log.
 */
describe('sandboxes async projector (real Postgres)', () => {
  let t: TestDatabase;
  let store: EventStore;

  beforeAll(async () => {
    t = await createTestDatabase();
    store = new EventStore(t.db);
  });
  afterAll(() => t.drop());

  const created = (sandboxId: string, name: string): SandboxEvent => ({
    type: 'sandbox_created',
    data: { sandboxId, name, runtime: 'wasi', mode: 'quick', limits: withDefaultLimits(), labels: {} },
  });
  /** Events appended to the log WITHOUT their inline row, as if the read model had missed them. */
  async function appendBare(sandboxId: string, events: SandboxEvent[]): Promise<void> {
    await store.append(sandboxStreamId(sandboxId), 'no_stream', events, { namespace: 'a', streamType: SANDBOX_STREAM_TYPE, actor: 'key-a' });
  }
  const ofSandbox = (all: RecordedEvent[], id: string) => all.filter((e) => (e.data as { sandboxId: string }).sandboxId === id);
  const applyOne = (e: RecordedEvent) =>
    t.db.asAdmin(async (c) => {
      const s = projectSandboxEvent({ ...e, event: { type: e.type, data: e.data } as SandboxEvent });
      await c.query(s.text, s.values);
    });
  const table = async () =>
    (await t.db.admin.query<{ id: string; name: string; state: string; version: number }>('select id::text as id, name, state, version from sandboxes order by name')).rows;

  it('applies exactly what each row lacks: missing rows, stale rows, and rows already current', async () => {
    const [missing, stale, current] = [randomUUID(), randomUUID(), randomUUID()];
    await appendBare(missing, [created(missing, 'missing'), { type: 'sandbox_started', data: { sandboxId: missing } }]);
    await appendBare(stale, [created(stale, 'stale'), { type: 'sandbox_started', data: { sandboxId: stale } }, { type: 'sandbox_stopped', data: { sandboxId: stale } }]);
    await appendBare(current, [created(current, 'current'), { type: 'sandbox_started', data: { sandboxId: current } }]);
    const all = (await store.readAll({ limit: 100 })).events;
    // The read model before the projector runs: `stale` stopped at version 1, `current` complete.
    await applyOne(ofSandbox(all, stale)[0]);
    for (const e of ofSandbox(all, current)) await applyOne(e);

    const projection = sandboxesProjection();
    await t.db.asAdmin((c) => projection.handle(all, c, { rebuilding: false, table: () => 'sandboxes' }));

    expect(await table()).toEqual([
      { id: current, name: 'current', state: 'running', version: 2 },
      { id: missing, name: 'missing', state: 'running', version: 2 },
      { id: stale, name: 'stale', state: 'stopped', version: 3 },
    ]);
    // Applying the same batch again changes nothing.
    await t.db.asAdmin((c) => projection.handle(all, c, { rebuilding: false, table: () => 'sandboxes' }));
    expect((await table()).map((r) => r.version)).toEqual([2, 2, 3]);
  });
});
