import { createTestDatabase, TestDatabase, withClient } from '@cave/testing';
import { Database } from './database';

/**
 * `Database.tenantQuery`: a tenant read in one round trip (set_config and the statement in one message, batched
 * with concurrent reads of other tenants) must be exactly as isolated as `Database.tenant`.
 */
describe('Database.tenantQuery (real Postgres, cave_app, FORCE RLS)', () => {
  let t: TestDatabase;
  let db: Database;
  const BY_ID = { name: 'probe_secret_by_id_v1', text: 'select id, namespace, secret from tenant_probe where id = $1::int' };
  const ALL = { name: 'probe_secret_all_v1', text: 'select id, namespace, secret from tenant_probe order by id' };
  const SETTING = { name: 'probe_setting_v1', text: `select current_setting('cave.namespace', true) as ns, $1::bytea as b` };

  beforeAll(async () => {
    t = await createTestDatabase();
    await withClient(t.ownerUrl, async (c) => {
      await c.query('set role cave_owner');
      await c.query('create table tenant_probe (id int primary key, namespace text not null, secret text not null)');
      await c.query(`insert into tenant_probe values (1, 'a', 'secret of a'), (2, 'b', 'secret of b'), (3, 'a', 'second of a')`);
      await c.query('alter table tenant_probe enable row level security');
      await c.query('alter table tenant_probe force row level security');
      await c.query(`create policy tenant_probe_tenant on tenant_probe for all to cave_app using (namespace = current_setting('cave.namespace', true))`);
      await c.query('grant select on tenant_probe to cave_app');
      await c.query('reset role');
    });
    // One connection: every batch and every later statement runs on the same server session.
    db = new Database({ appUrl: t.appUrl, adminUrl: t.adminUrl }, 1);
  });
  afterAll(async () => {
    await db?.close();
    await t.drop();
  });

  it('is the runtime role (no BYPASSRLS): the control reads its own rows', async () => {
    const who = await db.app.query(`select rolbypassrls, rolsuper from pg_roles where rolname = current_user`);
    expect(who.rows[0]).toEqual({ rolbypassrls: false, rolsuper: false });
    expect((await db.tenantQuery('a', ALL, [])).rows.map((r) => r.id)).toEqual([1, 3]);
    expect((await db.tenantQuery('a', BY_ID, [1])).rows).toEqual([{ id: 1, namespace: 'a', secret: 'secret of a' }]);
  });

  it("attack: namespace b asks for a's row by id and lists everything: it reads nothing of a's", async () => {
    expect((await db.tenantQuery('b', BY_ID, [1])).rows).toEqual([]);
    expect((await db.tenantQuery('b', ALL, [])).rows).toEqual([{ id: 2, namespace: 'b', secret: 'secret of b' }]);
    expect((await db.tenantQuery('nobody', ALL, [])).rows).toEqual([]);
  });

  it("attack: reads of two tenants interleaved in ONE round trip each see only their own namespace's rows", async () => {
    const before = { ...db.reads.stats };
    // Same tick: the first leaves alone, the rest share the next message, alternating tenants. Each one asks
    // for the OTHER tenant's row right after that tenant's own read set its namespace in the same transaction.
    const asks = Array.from({ length: 21 }, (_, i) => (i % 2 === 0 ? (['b', 1] as const) : (['a', 1] as const)));
    const results = await Promise.all(asks.map(([ns, id]) => db.tenantQuery(ns, BY_ID, [id])));
    results.forEach((r, i) => expect(r.rows).toEqual(asks[i][0] === 'a' ? [{ id: 1, namespace: 'a', secret: 'secret of a' }] : []));
    const lists = await Promise.all(['b', 'a', 'b', 'nobody', 'a'].map((ns) => db.tenantQuery(ns, ALL, [])));
    expect(lists.map((r) => r.rows.map((x) => x.id))).toEqual([[2], [1, 3], [2], [], [1, 3]]);
    // They did share round trips (otherwise this would not test the batch at all).
    expect(db.reads.stats.roundTrips - before.roundTrips).toBeLessThanOrEqual(4);
    expect(db.reads.stats.statements - before.statements).toBe(26);
  });

  it('leaves nothing behind on the pooled connection: the namespace is transaction-local', async () => {
    await Promise.all([db.tenantQuery('a', ALL, []), db.tenantQuery('b', ALL, []), db.tenantQuery('a', ALL, [])]);
    const after = await db.app.query(`select coalesce(current_setting('cave.namespace', true), '') as ns, count(*)::int as n from tenant_probe`);
    expect(after.rows[0]).toEqual({ ns: '', n: 0 });
  });

  it('a statement that fails in a batch fails alone; the others still get their own tenant rows', async () => {
    const bad = { name: 'probe_bad_cast_v1', text: 'select $1::int as n' };
    const results = await Promise.allSettled([
      db.tenantQuery('a', ALL, []),
      db.tenantQuery('b', BY_ID, [2]),
      db.tenantQuery('a', bad, ['not a number']),
      db.tenantQuery('b', ALL, []),
      db.tenantQuery('a', BY_ID, [2]),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect((results[2] as PromiseRejectedResult).reason).toMatchObject({ code: '22P02' });
    const rows = results.map((r) => (r.status === 'fulfilled' ? r.value.rows.map((x) => x.id) : null));
    expect(rows).toEqual([[1, 3], [2], null, [2], []]);
  });

  it('a value text cannot carry (bytes) still runs scoped, through the bound fallback', async () => {
    const r = await db.tenantQuery('b', SETTING, [Buffer.from([0, 1, 2])]);
    expect(r.rows[0].ns).toBe('b');
    expect(Buffer.from(r.rows[0].b as Buffer)).toEqual(Buffer.from([0, 1, 2]));
  });

  it('refuses a namespace that is not an identifier before anything is sent', async () => {
    await expect(db.tenantQuery(`a', true); select 1; --`, ALL, [])).rejects.toThrow(/invalid namespace/);
    await expect(db.tenantQuery('', ALL, [])).rejects.toThrow(/invalid namespace/);
  });
});
