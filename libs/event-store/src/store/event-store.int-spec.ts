import { Client } from 'pg';
import { createTestDatabase, TestDatabase } from '@cave/testing';
import { ConcurrencyError } from './concurrency.errors';
import { EventStore } from './event-store';
import { UpcasterRegistry } from './upcaster-registry';

describe('EventStore (real Postgres)', () => {
  let t: TestDatabase;
  let store: EventStore;
  const upcasters = new UpcasterRegistry().register('thing_renamed', 1, (d) => ({
    name: (d as { title: string }).title,
    reason: 'unknown',
  }));

  beforeAll(async () => {
    t = await createTestDatabase();
    store = new EventStore(t.db, upcasters);
  });
  afterAll(() => t.drop());

  const ev = (type: string, data: unknown = {}) => ({ type, data });
  const opts = { namespace: 'alpha', streamType: 'thing' };

  it('appends a batch in one transaction with consecutive versions', async () => {
    const r = await store.append('thing-1', 'no_stream', [ev('a'), ev('b'), ev('c')], { ...opts, actor: 'key-1' });
    expect(r.nextExpectedVersion).toBe(3);
    expect(r.globalPositions).toHaveLength(3);
    const events = await store.readStream('thing-1', { namespace: 'alpha' });
    expect(events.map((e) => [e.type, e.streamVersion])).toEqual([['a', 1], ['b', 2], ['c', 3]]);
    expect(events[0].metadata.actor).toBe('key-1');
  });

  it('rejects a wrong expected version with a typed ConcurrencyError', async () => {
    await store.append('thing-2', 'no_stream', [ev('a')], opts);
    await expect(store.append('thing-2', 'no_stream', [ev('b')], opts)).rejects.toBeInstanceOf(ConcurrencyError);
    const err = await store.append('thing-2', 5, [ev('b')], opts).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConcurrencyError);
    expect((err as ConcurrencyError).actual).toBe(1);
    await expect(store.append('thing-2', 1, [ev('b')], opts)).resolves.toMatchObject({ nextExpectedVersion: 2 });
    await expect(store.append('thing-2', 'any', [ev('c')], opts)).resolves.toMatchObject({ nextExpectedVersion: 3 });
  });

  it('lets exactly one of many racing writers win the same version', async () => {
    await store.append('thing-race', 'no_stream', [ev('a')], opts);
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => store.append('thing-race', 1, [ev('b')], opts)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(ConcurrencyError);
  });

  it('makes a repeated append with the same idempotency key a no-op returning the first result', async () => {
    const first = await store.append('thing-3', 'no_stream', [ev('a'), ev('b')], { ...opts, idempotencyKey: 'k-1' });
    const again = await store.append('thing-3', 'no_stream', [ev('a'), ev('b')], { ...opts, idempotencyKey: 'k-1' });
    expect(again.replayed).toBe(true);
    expect(again.globalPositions).toEqual(first.globalPositions);
    expect(await store.readStream('thing-3', { namespace: 'alpha' })).toHaveLength(2);
    // Concurrent duplicates: still only one write.
    const dupes = await Promise.all(
      Array.from({ length: 8 }, () => store.append('thing-4', 'any', [ev('x')], { ...opts, idempotencyKey: 'k-2' })),
    );
    expect(new Set(dupes.map((d) => d.globalPositions[0])).size).toBe(1);
    expect(await store.readStream('thing-4', { namespace: 'alpha' })).toHaveLength(1);
  });

  it('upcasts a stored v1 payload to v2 on read', async () => {
    await store.append('thing-5', 'no_stream', [{ type: 'thing_renamed', schemaVersion: 1, data: { title: 'old' } }], opts);
    const [e] = await store.readStream('thing-5', { namespace: 'alpha' });
    expect(e.schemaVersion).toBe(2);
    expect(e.data).toEqual({ name: 'old', reason: 'unknown' });
    const raw = await t.db.asAdmin((c) => c.query(`select data, schema_version from events where stream_id = 'thing-5'`));
    expect(raw.rows[0]).toEqual({ data: { title: 'old' }, schema_version: 1 });
  });

  it('refuses UPDATE, DELETE and TRUNCATE on events for every role, superuser included', async () => {
    await store.append('thing-6', 'no_stream', [ev('a')], opts);
    const attempts = ['update events set data = \'{}\'', 'delete from events', 'truncate events'];
    for (const url of [t.appUrl, t.adminUrl, t.ownerUrl]) {
      const c = new Client({ connectionString: url });
      await c.connect();
      await c.query(`select set_config('cave.namespace', 'alpha', false)`);
      for (const sql of attempts) {
        await expect(c.query(sql)).rejects.toThrow(/immutable|permission denied/);
      }
      await c.end();
    }
    // The trigger holds even where privileges would allow it.
    const owner = new Client({ connectionString: t.ownerUrl });
    await owner.connect();
    await expect(owner.query('update events set data = \'{}\'')).rejects.toThrow(/events are immutable/);
    await owner.end();
    expect(await store.readStream('thing-6', { namespace: 'alpha' })).toHaveLength(1);
  });

  it('shows the runtime role only its own namespace', async () => {
    await store.append('thing-b1', 'no_stream', [ev('secret')], { namespace: 'bravo', streamType: 'thing' });
    expect(await store.readStream('thing-b1', { namespace: 'alpha' })).toEqual([]);
    const alphaView = await t.db.tenant('alpha', (c) => c.query(`select count(*)::int as n from events where namespace = 'bravo'`));
    expect(alphaView.rows[0].n).toBe(0);
    const unset = new Client({ connectionString: t.appUrl });
    await unset.connect();
    expect((await unset.query('select count(*)::int as n from events')).rows[0].n).toBe(0);
    // Writing into another namespace from a tenant transaction is refused by the policy.
    await expect(
      t.db.tenant('alpha', (c) =>
        c.query(`insert into events (event_id, namespace, stream_type, stream_id, stream_version, event_type, data, metadata)
                 values (gen_random_uuid(), 'bravo', 't', 'x', 1, 'e', '{}', '{}')`),
      ),
    ).rejects.toThrow(/row-level security/);
    await unset.end();
    const scoped = await store.readAll({ scope: 'alpha', limit: 1000 });
    expect(scoped.events.every((e) => e.namespace === 'alpha')).toBe(true);
  });

  it('checks the runtime roles are neither superuser, owner nor BYPASSRLS (except cave_admin)', async () => {
    const c = new Client({ connectionString: t.ownerUrl });
    await c.connect();
    const { rows } = await c.query(`select rolname, rolsuper, rolbypassrls from pg_roles where rolname in ('cave_app','cave_admin') order by 1`);
    expect(rows).toEqual([
      { rolname: 'cave_admin', rolsuper: false, rolbypassrls: true },
      { rolname: 'cave_app', rolsuper: false, rolbypassrls: false },
    ]);
    const owner = await c.query(`select tableowner from pg_tables where tablename = 'events'`);
    expect(owner.rows[0].tableowner).toBe('cave_owner');
    await c.end();
  });

  it('tells append listeners only after the caller\'s transaction commits, never after a rollback', async () => {
    const seen: number[] = [];
    store.onAppend((n) => seen.push(n));
    await t.db.tenant('alpha', async (client) => {
      await store.append('thing-tx-1', 'no_stream', [ev('a'), ev('b')], { ...opts, client });
      expect(seen).toEqual([]);
    });
    expect(seen).toEqual([2]);
    await expect(
      t.db.tenant('alpha', async (client) => {
        await store.append('thing-tx-2', 'no_stream', [ev('a')], { ...opts, client });
        throw new Error('caller fails after the append');
      }),
    ).rejects.toThrow('caller fails');
    expect(seen).toEqual([2]);
    await store.append('thing-tx-3', 'no_stream', [ev('a')], opts);
    expect(seen).toEqual([2, 1]);
  });

  it('reads all events in pages that continue exactly behind the cursor', async () => {
    const all: number[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await store.readAll({ after: cursor, limit: 3 });
      if (page.events.length === 0) break;
      all.push(...page.events.map((e) => e.globalPosition));
      cursor = page.cursor;
    }
    const total = await t.db.asAdmin((c) => c.query('select count(*)::int as n from events'));
    expect(all).toHaveLength(total.rows[0].n);
    expect(new Set(all).size).toBe(all.length);
  });
});
