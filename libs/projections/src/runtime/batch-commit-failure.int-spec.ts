import { Client } from 'pg';
import { EventStore } from '@cave/event-store';
import { createTestDatabase, TestDatabase, waitFor } from '@cave/testing';
import { ProjectionAdminService } from '../admin/projection-admin.service';
import { createReadModelTable, tallyProjection } from '../../test/projection.fixture';
import { ProjectionRegistry } from './projection.registry';
import { ProjectionRuntime } from './projection.runtime';

jest.setTimeout(60_000);

/**
 * A batch whose writes and checkpoint update all succeed, and whose COMMIT then fails (a deferred constraint
 * trigger raises at commit time): the checkpoint must not have moved and no effect of the batch may remain,
 * which holds only when the checkpoint is advanced inside the batch's transaction.
 */
describe('a projection batch that fails at commit (real Postgres)', () => {
  let t: TestDatabase;
  let store: EventStore;
  let runtime: ProjectionRuntime | undefined;

  beforeAll(async () => {
    t = await createTestDatabase();
    store = new EventStore(t.db);
    await createReadModelTable(t.ownerUrl, 'tally_commit');
    const c = new Client({ connectionString: t.ownerUrl });
    await c.connect();
    try {
      await c.query('set role cave_owner');
      await c.query(`create function tally_commit_check() returns trigger language plpgsql as $$
        begin
          if new.total >= 1000 then raise exception 'deferred check: total % too large', new.total; end if;
          return null;
        end $$`);
      await c.query(`create constraint trigger tally_commit_deferred after insert or update on tally_commit
        deferrable initially deferred for each row execute function tally_commit_check()`);
    } finally {
      await c.end();
    }
  });
  afterAll(async () => {
    await runtime?.stop();
    await t.drop();
  });

  const tick = (stream: string, n: number) => store.append(stream, 'any', [{ type: 'tick', data: { n } }], { namespace: 'alpha', streamType: 'tick' });
  const positions = async () =>
    (await t.db.admin.query<{ p: string }>(`select unnest(positions) as p from tally_commit order by 1`)).rows.map((r) => Number(r.p));

  it('leaves the checkpoint before the batch and nothing of it applied; the projection stops at the culprit', async () => {
    const before: number[] = [];
    for (let i = 0; i < 4; i++) before.push((await tick('c-1', i)).globalPositions[0]);
    // Fails only at COMMIT: every statement of its batch, the checkpoint update included, succeeds first.
    const bad = (await tick('c-2', 1000)).globalPositions[0];
    for (let i = 0; i < 4; i++) await tick('c-1', i);
    const registry = new ProjectionRegistry().register(tallyProjection({ name: 'commit_fail', table: 'tally_commit', batchSize: 20 }));
    runtime = new ProjectionRuntime(t.db, store, registry, { pollMs: 200, leaderRetryMs: 200 });
    await runtime.start();
    const admin = new ProjectionAdminService(t.db, store, registry);
    // Settled: stopped at a failure, or (the bug) the checkpoint moved past the culprit although its batch rolled back.
    const failed = await waitFor(async () => {
      const v = await admin.get('commit_fail');
      return v.status === 'failed' || v.position >= bad ? v : undefined;
    }, 20_000, 'failed status or a checkpoint past the culprit');
    expect({ status: failed.status, position: failed.position }).toEqual({ status: 'failed', position: before[before.length - 1] });
    expect(failed.failure).toMatchObject({ globalPosition: bad, message: expect.stringContaining('deferred check') });
    // Everything before the culprit is committed with its checkpoint, nothing at or after it.
    expect(await positions()).toEqual(before);
  });
});
