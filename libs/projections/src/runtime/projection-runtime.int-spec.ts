import { Client } from 'pg';
import { Database, EventStore } from '@cave/event-store';
import { createTestDatabase, TestDatabase, waitFor } from '@cave/testing';
import { createReadModelTable, tallyProjection } from '../../test/projection.fixture';
import { ProjectionRegistry } from './projection.registry';
import { ProjectionRuntime } from './projection.runtime';

jest.setTimeout(30_000);

describe('projection runtime (real Postgres)', () => {
  let t: TestDatabase;
  let store: EventStore;
  const opened: { db: Database; runtime: ProjectionRuntime }[] = [];
  const stores = new Map<string, EventStore>();

  beforeAll(async () => {
    t = await createTestDatabase();
    store = new EventStore(t.db);
  });
  afterAll(async () => {
    for (const o of opened) {
      await o.runtime.stop();
      await o.db.close();
    }
    await t.drop();
  });

  /** One "daemon instance": its own pools (tagged for pg_terminate_backend) and runtime. */
  function instance(app: string, registry: ProjectionRegistry, pollMs = 60_000) {
    const db = new Database(t, 4, { application_name: app });
    const instanceStore = new EventStore(db);
    stores.set(app, instanceStore);
    const runtime = new ProjectionRuntime(db, instanceStore, registry, { instanceId: app, pollMs, leaderRetryMs: 200, log: process.env.DEBUG_PROJ ? (l, m, f) => console.log(app, l, m, f) : undefined });
    opened.push({ db, runtime });
    return runtime;
  }

  const append = (stream: string, n: number, count = 1) =>
    store.append(stream, 'any', Array.from({ length: count }, () => ({ type: 'tick', data: { n } })), { namespace: 'alpha', streamType: 'tick' });

  const rows = async (table: string) =>
    (await t.db.admin.query<{ stream_id: string; events: number; total: string; positions: string[] }>(`select * from ${table} order by stream_id`)).rows;

  /** Every tick event applied exactly once: each position appears once, counts match the log. */
  async function expectExactlyOnce(table: string): Promise<void> {
    const applied = (await rows(table)).flatMap((r) => r.positions.map(Number)).sort((a, b) => a - b);
    const { rows: log } = await t.db.admin.query<{ p: string }>(`select global_position as p from events where event_type = 'tick' order by 1`);
    expect(applied).toEqual(log.map((r) => Number(r.p)));
  }

  async function caughtUp(name: string): Promise<boolean | undefined> {
    const { rows: r } = await t.db.admin.query(
      `select c.position >= (select max(global_position) from events where event_type = 'tick') as ok from projection_checkpoints c where name = $1`,
      [name],
    );
    return r[0]?.ok ? true : undefined;
  }

  it('catches up from 0 and wakes on a new append without waiting for the poll', async () => {
    await createReadModelTable(t.ownerUrl, 'tally_wake');
    for (let i = 0; i < 30; i++) await append(`s-${i % 4}`, i);
    const registry = new ProjectionRegistry().register(tallyProjection({ name: 'wake', table: 'tally_wake' }));
    // The runtime's own appends notify (its EventStore is the one appending below).
    const a = instance('wake-a', registry);
    await a.start();
    await waitFor(() => caughtUp('wake'), 10_000, 'catch-up');
    // Another instance (not leading 'wake') appends: its NOTIFY must wake A, whose poll is 60 s.
    const other = instance('wake-b', new ProjectionRegistry());
    await other.start();
    for (const [via, stream] of [['wake-b', 's-remote'], ['wake-a', 's-local']]) {
      const started = Date.now();
      await stores.get(via)!.append(stream, 'any', [{ type: 'tick', data: { n: 1 } }], { namespace: 'alpha', streamType: 'tick' });
      await waitFor(() => caughtUp('wake'), 5_000, `catch-up after an append ${via}`);
      expect(Date.now() - started).toBeLessThan(2_000);
    }
    await expectExactlyOnce('tally_wake');
    await Promise.all([a.stop(), other.stop()]);
  });

  it('leads every registered projection, including one registered after start', async () => {
    await createReadModelTable(t.ownerUrl, 'tally_many_a');
    await createReadModelTable(t.ownerUrl, 'tally_many_b');
    const registry = new ProjectionRegistry().register(tallyProjection({ name: 'many-a', table: 'tally_many_a' }));
    const r = instance('many', registry, 200);
    await r.start();
    registry.register(tallyProjection({ name: 'many-b', table: 'tally_many_b' }));
    await waitFor(() => (r.isLeading('many-a') && r.isLeading('many-b') ? true : undefined), 5_000, 'both led');
    await waitFor(async () => ((await caughtUp('many-a')) && (await caughtUp('many-b')) ? true : undefined), 10_000, 'both caught up');
    await expectExactlyOnce('tally_many_a');
    await expectExactlyOnce('tally_many_b');
    await r.stop();
  });

  it('resumes after an instance is killed mid-batch, with no lost and no doubled effect', async () => {
    await createReadModelTable(t.ownerUrl, 'tally_crash');
    for (let i = 0; i < 120; i++) await append(`c-${i % 7}`, i);
    let blockOnce: (() => void) | undefined;
    let reachedMidBatch: () => void = () => undefined;
    const mid = new Promise<void>((r) => (reachedMidBatch = r));
    let seen = 0;
    const projection = tallyProjection({
      name: 'crash',
      table: 'tally_crash',
      batchSize: 40,
      before: async () => {
        // In the second batch, after 10 rows were written in the open transaction, hang.
        if (++seen === 50 && !blockOnce) {
          reachedMidBatch();
          await new Promise<void>((r) => (blockOnce = r));
        }
      },
    });
    const a = instance('crash-a', new ProjectionRegistry().register(projection));
    await a.start();
    await mid;
    // "Kill" instance A: every connection it has dies, as when its process or host dies.
    const killer = new Client({ connectionString: t.ownerUrl });
    await killer.connect();
    await killer.query(`select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'crash-a'`);
    await killer.end();
    blockOnce!();
    // The process is gone: nothing of A runs any more (its batch transaction was rolled back by the kill).
    await a.stop();
    const b = instance('crash-b', new ProjectionRegistry().register(tallyProjection({ name: 'crash', table: 'tally_crash', batchSize: 40 })));
    await b.start();
    await waitFor(() => (b.isLeading('crash') ? true : undefined), 10_000, 'takeover');
    await waitFor(() => caughtUp('crash'), 10_000, 'catch-up after crash');
    await expectExactlyOnce('tally_crash');
    const cp = await t.db.admin.query(`select leader from projection_checkpoints where name = 'crash'`);
    expect(cp.rows[0].leader).toBe('crash-b');
  });

  it('never runs one projector in two instances at once and fails over when the leader stops', async () => {
    await createReadModelTable(t.ownerUrl, 'tally_lead');
    let active = 0;
    let maxActive = 0;
    const mk = () =>
      tallyProjection({
        name: 'lead',
        table: 'tally_lead',
        batchSize: 10,
        before: async () => {
          active++;
          maxActive = Math.max(maxActive, active);
          await new Promise((r) => setImmediate(r));
          active--;
        },
      });
    const a = instance('lead-a', new ProjectionRegistry().register(mk()), 100);
    const b = instance('lead-b', new ProjectionRegistry().register(mk()), 100);
    await Promise.all([a.start(), b.start()]);
    const leader = await waitFor(() => (a.isLeading('lead') ? a : b.isLeading('lead') ? b : undefined), 5_000, 'a leader');
    const follower = leader === a ? b : a;
    expect(follower.isLeading('lead')).toBe(false);

    let writing = true;
    const writer = (async () => {
      for (let i = 0; writing; i++) await append(`l-${i % 5}`, i);
    })();
    await waitFor(async () => ((await rows('tally_lead')).length >= 5 ? true : undefined), 10_000, 'progress');
    const stoppedAt = Date.now();
    await leader.stop();
    await waitFor(() => (follower.isLeading('lead') ? true : undefined), 5_000, 'failover');
    const failoverMs = Date.now() - stoppedAt;
    writing = false;
    await writer;
    await waitFor(() => caughtUp('lead'), 10_000, 'catch-up after failover');
    expect(maxActive).toBe(1);
    expect(failoverMs).toBeLessThan(3_000);
    await expectExactlyOnce('tally_lead');
  });

  it('stop() after the leadership connection was lost still waits for the batch in flight', async () => {
    await createReadModelTable(t.ownerUrl, 'tally_lost');
    let reached!: () => void;
    const inBatch = new Promise<void>((r) => (reached = r));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const registry = new ProjectionRegistry().register(tallyProjection({ name: 'lost', table: 'tally_lost', before: async () => (reached(), gate) }));
    const a = instance('lost-a', registry, 100);
    await a.start();
    await append('lost-1', 1);
    await inBatch;
    // Only the dedicated leadership connection dies: the runner's transaction goes on.
    const superuser = new Client({ connectionString: t.ownerUrl });
    await superuser.connect();
    const { rowCount } = await superuser.query(
      `select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'lost-a' and query like '%pg_try_advisory_lock%'`,
    );
    await superuser.end();
    expect(rowCount).toBe(1);
    await waitFor(() => (a.isLeading('lost') ? undefined : true), 5_000, 'stepping down');

    let stopped = false;
    const stopping = a.stop().then(() => (stopped = true));
    try {
      await new Promise((r) => setTimeout(r, 300));
      expect(stopped).toBe(false); // the batch is still blocked in the projector
    } finally {
      release();
    }
    await stopping;
    // Returned only once the batch was done: committed with its checkpoint (the runner's own connection lived).
    const { rows: cp } = await t.db.admin.query<{ position: string }>(`select position from projection_checkpoints where name = 'lost'`);
    expect(Number(cp[0].position)).toBeGreaterThan(0);
    expect((await rows('tally_lost')).length).toBeGreaterThan(0);
  });
});
