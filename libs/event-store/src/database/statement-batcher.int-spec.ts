import { Pool } from 'pg';
import { createTestDatabase, TestDatabase, withClient } from '@cave/testing';
import { Database } from './database';
import { BatchResultMismatchError } from './prepared-batch';
import { StatementBatcher } from './statement-batcher';

/**
 * Group commit over a real PostgreSQL as the runtime role: statements issued together share round trips,
 * yet each caller gets exactly the result or error it would have got alone, and a batch never applies
 * half or twice.
 */
describe('StatementBatcher (real Postgres, cave_app)', () => {
  let t: TestDatabase;
  let pool: Pool;

  const INSERT = { name: 'probe_insert_v1', text: 'insert into batch_probe (id, note) values ($1::int, $2::text) returning id, note' };
  const ECHO = {
    name: 'probe_echo_v1',
    text: 'select $1::text as s, $2::jsonb as j, $3::timestamptz as ts, $4::bigint as big, $5::float8 as f, $6::boolean as b, $7::text as n',
  };
  const rows = async () => (await pool.query<{ id: number }>('select id from batch_probe order by id')).rows.map((r) => r.id);
  /** All at once, in one tick: the first leaves alone, the rest queue behind it and share the next round trip. */
  const together = (batcher: StatementBatcher, n: number, values: (i: number) => unknown[]) =>
    Promise.allSettled(Array.from({ length: n }, (_, i) => batcher.query(INSERT, values(i))));

  beforeAll(async () => {
    t = await createTestDatabase();
    await withClient(t.ownerUrl, async (c) => {
      await c.query('create table batch_probe (id int primary key, note text)');
      await c.query('grant select, insert, delete on batch_probe to cave_app');
    });
    pool = new Pool({ connectionString: t.appUrl, max: 4 });
  });
  afterAll(async () => {
    await pool.end();
    await t.drop();
  });
  beforeEach(() => pool.query('delete from batch_probe'));

  it('coalesces concurrent statements into few round trips, each caller getting its own rows', async () => {
    const batcher = new StatementBatcher(pool, { maxBatch: 64, maxInFlight: 1 });
    const results = await together(batcher, 40, (i) => [i, `note ${i}`]);
    results.forEach((r, i) => {
      expect(r.status).toBe('fulfilled');
      if (r.status === 'fulfilled') expect(r.value.rows).toEqual([{ id: i, note: `note ${i}` }]);
    });
    expect(await rows()).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(batcher.stats).toEqual({ roundTrips: 2, statements: 40, splits: 0, isolated: 0 });
  });

  it('a statement the server refuses fails alone: the batch is rolled back and the others re-run one by one', async () => {
    const batcher = new StatementBatcher(pool, { maxBatch: 64, maxInFlight: 1 });
    // Items 5 and 9 insert the same key: exactly one of them must fail, with the server's own error.
    const results = await together(batcher, 20, (i) => [i === 9 ? 5 : i, `n${i}`]);
    const failed = results.map((r, i) => (r.status === 'rejected' ? i : -1)).filter((i) => i >= 0);
    expect(failed).toHaveLength(1);
    expect([5, 9]).toContain(failed[0]);
    expect((results[failed[0]] as PromiseRejectedResult).reason).toMatchObject({ code: '23505' });
    expect(await rows()).toEqual(Array.from({ length: 20 }, (_, i) => i).filter((i) => i !== 9));
    expect(batcher.stats.splits).toBe(1);
  });

  it('several refused statements: each fails with its own error, the others are re-sent together and commit once', async () => {
    const batcher = new StatementBatcher(pool, { maxBatch: 64, maxInFlight: 1 });
    const bad = new Set([4, 11, 17]);
    // A poisoning caller's statements (invalid jsonb, as a lone UTF-16 surrogate gives) mixed into everyone's batch.
    const JSON_INSERT = { name: 'probe_json_insert_v1', text: 'insert into batch_probe (id, note) select $1::int, ($2::jsonb)::text returning id' };
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => batcher.query(JSON_INSERT, [i, bad.has(i) ? '{"x":"\\ud800"}' : '{"ok":true}'])),
    );
    results.forEach((r, i) => {
      expect(r.status).toBe(bad.has(i) ? 'rejected' : 'fulfilled');
      if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: '22P02' });
    });
    expect(await rows()).toEqual(Array.from({ length: 20 }, (_, i) => i).filter((i) => !bad.has(i)));
    // The first alone, the batch of 19, then one re-send per refused statement: not 16 solo commits.
    expect(batcher.stats).toEqual({ roundTrips: 5, statements: 1 + 19 + 18 + 17 + 16, splits: 3, isolated: 0 });
  });

  it("a tenant whose statements fail leaves the shared batches: one split, its others go alone, everyone else's commit together", async () => {
    const batcher = new StatementBatcher(pool, { maxBatch: 64, maxInFlight: 1, isolateMs: 60_000 });
    const JSON_INSERT = { name: 'probe_json_insert_v1', text: 'insert into batch_probe (id, note) select $1::int, ($2::jsonb)::text returning id' };
    // Tenant b's statements are all refused (invalid jsonb); a's are fine. Interleaved in one tick.
    const isB = (i: number) => i % 2 === 1;
    const send = (i: number) => batcher.query(JSON_INSERT, [i, isB(i) ? '{"x":"\\ud800"}' : '{"ok":true}'], { tenant: isB(i) ? 'b' : 'a' });
    const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => send(i)));
    results.forEach((r, i) => expect(r.status).toBe(isB(i) ? 'rejected' : 'fulfilled'));
    expect(await rows()).toEqual(Array.from({ length: 20 }, (_, i) => i).filter((i) => !isB(i)));
    // The first alone (a's 0), the batch of 19 fails at b's 1: b's 8 others go alone, a's 9 in ONE re-send.
    expect(batcher.stats).toEqual({ roundTrips: 1 + 1 + 1 + 9, statements: 1 + 19 + 9 + 9, splits: 1, isolated: 9 });
    // While isolated, b's next statements never join a's batches: a's still commit together, in one round trip.
    const before = { ...batcher.stats };
    const more = await Promise.allSettled(Array.from({ length: 10 }, (_, k) => send(100 + k)));
    more.forEach((r, k) => expect(r.status).toBe(isB(100 + k) ? 'rejected' : 'fulfilled'));
    expect(batcher.stats.splits).toBe(before.splits);
    expect(batcher.stats.isolated - before.isolated).toBe(5);
  });

  it('sends every value exactly as a bound parameter would (quotes, backslashes, unicode, JSON, dates, bigints, null)', async () => {
    const batcher = new StatementBatcher(pool, { maxBatch: 64, maxInFlight: 1 });
    const tricky: unknown[][] = [
      ["it's", { a: "b'c", d: ['\\', '"', 'é', '😀'] }, new Date('2026-11-25T17:46:11.123Z'), 9007199254740993n, 1.5e-7, true, null],
      ['back\\slash \\x00 E\'\'', { nested: { n: null, t: true } }, new Date(0), -1n, -0.25, false, 'x'],
      ['$1; drop table batch_probe; --', { list: [1, 'two'] }, new Date('1999-12-31T23:59:59.999Z'), 0n, 42, false, "'; select 1; --"],
    ];
    const bound = await Promise.all(tricky.map((v) => pool.query(ECHO.text, v)));
    const batched = await Promise.all([...tricky, ...tricky].map((v) => batcher.query(ECHO, v)));
    expect(batcher.stats.roundTrips).toBe(2);
    batched.forEach((r, i) => expect(r.rows).toEqual(bound[i % tricky.length].rows));
    expect(await rows()).toEqual([]);
  });

  it('arrays are sent in PostgreSQL array syntax, as pg binds them', async () => {
    const batcher = new StatementBatcher(pool, { maxBatch: 64, maxInFlight: 1 });
    const ARRAY = { name: 'probe_array_v1', text: 'select $1::text[] as t, $2::int[] as i' };
    const values = [['a,b', 'c"d', null, "e'f", '{}'], [1, 2, 3]];
    const results = await Promise.all([0, 1, 2].map(() => batcher.query(ARRAY, values)));
    expect(batcher.stats).toEqual({ roundTrips: 2, statements: 3, splits: 0, isolated: 0 });
    for (const r of results) expect(r.rows).toEqual([{ t: values[0], i: values[1] }]);
  });

  it('a value text cannot carry (NUL) gets the bound-parameter error, and only that statement fails', async () => {
    const batcher = new StatementBatcher(pool, { maxBatch: 64, maxInFlight: 1 });
    const results = await together(batcher, 6, (i) => [i, i === 3 ? 'nul\0inside' : `n${i}`]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect((results[3] as PromiseRejectedResult).reason).toMatchObject({ code: '22021' });
    expect(await rows()).toEqual([0, 1, 2, 4, 5]);
  });

  it('a connection lost mid-batch fails every caller in it and re-runs nothing (the batch may have applied)', async () => {
    const batcher = new StatementBatcher(pool, { maxBatch: 64, maxInFlight: 1 });
    const KILL = { name: 'probe_kill_v1', text: 'select pg_terminate_backend(pg_backend_pid()) as killed, $1::int as i' };
    const first = batcher.query(INSERT, [100, 'alone']);
    const inBatch = [batcher.query(INSERT, [101, 'batched']), batcher.query(KILL, [1]), batcher.query(INSERT, [102, 'batched'])];
    await expect(first).resolves.toBeDefined();
    const settled = await Promise.allSettled(inBatch);
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected', 'rejected']);
    // The implicit transaction died with its backend: nothing of the batch committed, and nothing ran twice.
    expect(await rows()).toEqual([100]);
    expect(batcher.stats.splits).toBe(0);
    // The pool replaced the dead connection.
    await expect(batcher.query(INSERT, [103, 'after'])).resolves.toBeDefined();
  });

  it('a lone statement goes out at once as an ordinary prepared statement (no waiting at light load)', async () => {
    const batcher = new StatementBatcher(pool, { maxBatch: 64, maxInFlight: 1 });
    for (let i = 0; i < 3; i++) await batcher.query(INSERT, [i, 'sequential']);
    expect(batcher.stats).toEqual({ roundTrips: 3, statements: 3, splits: 0, isolated: 0 });
    expect(await rows()).toEqual([0, 1, 2]);
  });

  describe('a session whose client encoding lets a backslash end a character', () => {
    // In SJIS the bytes 0x81 0x5C are one character: the backslash escapeLiteral doubled then escapes the
    // quote it doubled, and the rest of the value is SQL. `Á` is 0xC3 0x81 in UTF-8. pg's startup packet
    // asks for UTF8, so this takes a SET in the session (or a role setting of backslash_quote plus one).
    const BREAKOUT = "\u00c1\\'); select current_user as s; --";
    const ONE = { name: 'probe_one_v1', text: 'select $1::text as s' };

    beforeAll(() => withClient(t.ownerUrl, (c) => c.query(`alter role cave_app in database ${t.name} set backslash_quote = on`)));
    afterAll(() => withClient(t.ownerUrl, (c) => c.query(`alter role cave_app in database ${t.name} reset all`)));

    it('an extra result set is refused: no caller gets another statement\'s result', async () => {
      // pg-pool awaits onConnect's promise before it hands the client out (@types/pg says void); a 'connect'
      // listener's query raced the first statement instead (pg's "already executing" deprecation).
      const raw = new Pool({ connectionString: t.appUrl, max: 1, onConnect: (c) => c.query("set client_encoding = 'SJIS'") as unknown as void });
      try {
        const batcher = new StatementBatcher(raw, { maxBatch: 64, maxInFlight: 1 });
        const settled = await Promise.allSettled([0, 1, 2].map((i) => batcher.query(ONE, [i === 1 ? BREAKOUT : `v${i}`])));
        expect(settled[0].status).toBe('fulfilled');
        for (const r of settled.slice(1)) expect(r).toMatchObject({ status: 'rejected', reason: expect.any(BatchResultMismatchError) });
      } finally {
        await raw.end();
      }
    });

    it('the runtime pools pin the settings literals depend on, whatever the role or server says', async () => {
      const db = new Database({ appUrl: t.appUrl, adminUrl: t.adminUrl }, 2);
      try {
        const values = ['v0', BREAKOUT, 'v2', BREAKOUT];
        const results = await Promise.all(values.map((v) => db.appends.query<{ s: string }>(ONE, [v])));
        expect(results.map((r) => r.rows)).toEqual(values.map((s) => [{ s }]));
        for (const p of [db.app, db.admin]) {
          const { rows: settings } = await p.query(
            "select current_setting('client_encoding') as e, current_setting('backslash_quote') as b, current_setting('standard_conforming_strings') as s",
          );
          expect(settings).toEqual([{ e: 'UTF8', b: 'safe_encoding', s: 'on' }]);
        }
      } finally {
        await db.close();
      }
    });
  });
});
