import { Client } from 'pg';
import { EventStore } from '@cave/event-store';
import { createTestDatabase, TestDatabase } from '@cave/testing';
import { ProjectionAdminService } from '../admin/projection-admin.service';
import { CheckpointMovedError, CheckpointStore } from './checkpoint.store';
import { ProjectionRegistry } from './projection.registry';

/**
 * The checkpoint compare-and-set against a real race: a stale leader (paused, lock lost) finishes its batch
 * after an admin skipped the event the new leader failed at. Its advance must fail, and its effects with it.
 */
describe('checkpoint compare-and-set (real Postgres)', () => {
  let t: TestDatabase;
  let owner: Client;
  let checkpoints: CheckpointStore;
  let admin: ProjectionAdminService;
  const NAME = 'cas_probe';

  beforeAll(async () => {
    t = await createTestDatabase();
    owner = new Client({ connectionString: t.ownerUrl });
    await owner.connect();
    await owner.query(`create table cas_effects (position bigint primary key); grant select, insert on cas_effects to cave_admin`);
    checkpoints = new CheckpointStore(t.db.admin);
    admin = new ProjectionAdminService(t.db, new EventStore(t.db), new ProjectionRegistry());
  });
  afterAll(async () => {
    await owner.end();
    await t.drop();
  });

  const effects = async () => (await owner.query<{ p: string }>(`select position as p from cas_effects order by 1`)).rows.map((r) => Number(r.p));

  it('a stale leader that read cursor C0 loses to an admin skip committed meanwhile: CAS error, none of its effects, the skip stands', async () => {
    const start = await checkpoints.ensure(NAME, 1);
    // The new leader failed at position 7; the stale one still works from the cursor both started at.
    await checkpoints.markFailed(NAME, start.cursor, { position: 7, cursor: '1007:7', eventId: '00000000-0000-4000-8000-000000000007', type: 'tick' }, 'boom');

    const stale = await t.db.admin.connect();
    try {
      await stale.query('begin');
      await stale.query(`insert into cas_effects (position) select generate_series(1, 5)`);
      // The admin's skip commits while the stale batch is open (it has not touched the checkpoint row yet).
      await admin.skip(NAME, 'admin:test', 7);
      await expect(checkpoints.advance(stale, NAME, start.cursor, '1005:5', 5)).rejects.toBeInstanceOf(CheckpointMovedError);
      await stale.query('rollback');
    } finally {
      stale.release();
    }
    expect(await effects()).toEqual([]);
    expect(await checkpoints.get(NAME)).toMatchObject({ cursor: '1007:7', position: 7, status: 'running', failedCursor: null });
    const { rows } = await owner.query(`select count(*)::int as n from events where event_type = 'projection_event_skipped'`);
    expect(rows[0].n).toBe(1);

    // The leader that owns the cursor now advances from it, exactly once: a second try from the same cursor is refused.
    const leader = await t.db.admin.connect();
    try {
      await leader.query('begin');
      await leader.query(`insert into cas_effects (position) select generate_series(8, 9)`);
      await checkpoints.advance(leader, NAME, '1007:7', '1009:9', 9);
      await leader.query('commit');
    } finally {
      leader.release();
    }
    await expect(checkpoints.advance(t.db.admin, NAME, '1007:7', '1009:9', 9)).rejects.toBeInstanceOf(CheckpointMovedError);
    expect(await effects()).toEqual([8, 9]);
    expect(await checkpoints.get(NAME)).toMatchObject({ cursor: '1009:9', position: 9 });
  });

  it('two leaders racing from the same cursor: the second blocks on the row, then gets the CAS error, and only one batch lands', async () => {
    const cp = (await checkpoints.get(NAME))!;
    const a = await t.db.admin.connect();
    const b = await t.db.admin.connect();
    try {
      await a.query('begin');
      await b.query('begin');
      await a.query(`insert into cas_effects (position) values (10)`);
      await b.query(`insert into cas_effects (position) values (11)`);
      await checkpoints.advance(a, NAME, cp.cursor, '1010:10', 10);
      // b's update waits for a's row lock; once a commits, it re-checks the cursor and finds it moved.
      const bAdvance = checkpoints.advance(b, NAME, cp.cursor, '1011:11', 11);
      bAdvance.catch(() => undefined);
      await a.query('commit');
      await expect(bAdvance).rejects.toBeInstanceOf(CheckpointMovedError);
      await b.query('rollback');
    } finally {
      a.release();
      b.release();
    }
    expect(await effects()).toEqual([8, 9, 10]);
    expect(await checkpoints.get(NAME)).toMatchObject({ cursor: '1010:10', position: 10 });
  });
});
