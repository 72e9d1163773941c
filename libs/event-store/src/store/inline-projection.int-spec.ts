import { Client } from 'pg';
import { createTestDatabase, TestDatabase } from '@cave/testing';
import { ConcurrencyError } from './concurrency.errors';
import { EventStore } from './event-store';
import { EVENT, InlineProjection, InsertRow, param, projectionAt } from './inline-projection';

/**
 * An append with an inline projection is one statement: the read-model row must see the namespace that
 * cave_append set (RLS WITH CHECK), and the event and the row commit together or not at all.
 */
describe('EventStore.append with an inline projection (real Postgres)', () => {
  let t: TestDatabase;
  let store: EventStore;

  beforeAll(async () => {
    t = await createTestDatabase();
    store = new EventStore(t.db);
    const owner = new Client({ connectionString: t.ownerUrl });
    await owner.connect();
    try {
      await owner.query(`set role cave_owner`);
      await owner.query(`create table things (id text primary key, namespace text not null, name text not null check (name <> 'bad'),
                           version integer not null, position bigint not null, at timestamptz not null)`);
      await owner.query(`alter table things enable row level security`);
      await owner.query(`alter table things force row level security`);
      await owner.query(`create policy things_tenant on things for all to cave_app
                         using (namespace = current_setting('cave.namespace', true))
                         with check (namespace = current_setting('cave.namespace', true))`);
      await owner.query(`grant select, insert, update, delete on things to cave_app`);
      await owner.query(`grant select on things to cave_admin`);
    } finally {
      await owner.end();
    }
  });
  afterAll(() => t.drop());

  const insertThing = (id: string, namespace: string, name = 'n'): InlineProjection => ({
    write: {
      insert: 'things',
      columns: {
        id: param(id, 'text'),
        namespace: param(namespace, 'text'),
        name: param(name, 'text'),
        version: EVENT.streamVersion,
        position: EVENT.globalPosition,
        at: EVENT.recordedAt,
      },
      key: 'id',
      returning: ['id', 'namespace', 'version', 'position'],
    },
    toRow: (r) => r,
  });
  const renameThing = (id: string, name: string): InlineProjection => ({
    write: {
      update: 'things',
      key: { column: 'id', value: param(id, 'text') },
      set: { name: param(name, 'text'), version: EVENT.streamVersion, position: EVENT.globalPosition },
      versionColumn: 'version',
      returning: ['id', 'name', 'version'],
    },
    toRow: (r) => r,
  });
  const storeThing = (id: string, name: string, onConflict: InsertRow['onConflict']): InlineProjection => ({
    write: {
      insert: 'things',
      columns: { id: param(id, 'text'), namespace: param('alpha', 'text'), name: param(name, 'text'), version: EVENT.streamVersion, position: EVENT.globalPosition, at: EVENT.recordedAt },
      key: 'id',
      onConflict,
      returning: ['id', 'name', 'version'],
    },
    toRow: (r) => r,
  });
  const deleteThing = (id: string, versionColumn?: string): InlineProjection => ({
    write: { delete: 'things', alias: 't', key: { id: param(id, 'text'), namespace: param('alpha', 'text') }, versionColumn, returning: ['id', 'version'] },
    toRow: (r) => r,
  });
  const ev = { type: 'thing_happened', data: {} };
  const alpha = { namespace: 'alpha', streamType: 'thing' };
  const things = async () => (await t.db.asAdmin((c) => c.query(`select id, namespace, name, version from things order by id`))).rows;
  const events = async (streamId: string) =>
    (await t.db.asAdmin((c) => c.query(`select namespace, stream_version from events where stream_id = $1 order by 2`, [streamId]))).rows;

  it('writes the row in autocommit on a pooled connection with no namespace set: RLS sees the one cave_append set', async () => {
    const r = await store.append('thing-1', 'no_stream', [ev], { ...alpha, projection: insertThing('1', 'alpha') });
    expect(r.projected).toEqual({ id: '1', namespace: 'alpha', version: 1, position: String(r.globalPositions[0]) });
    expect(r.replayed).toBe(false);
    // The namespace was transaction-local: the pooled connection carries nothing into its next use.
    const leaked = await t.db.app.query(`select current_setting('cave.namespace', true) as ns`);
    expect(leaked.rows[0].ns ?? '').toBe('');
    expect(await things()).toEqual([{ id: '1', namespace: 'alpha', name: 'n', version: 1 }]);
  });

  it("refuses a row in another tenant's namespace and keeps the append from committing", async () => {
    await expect(store.append('thing-2', 'no_stream', [ev], { ...alpha, projection: insertThing('2', 'bravo') })).rejects.toThrow(/row-level security/);
    expect(await events('thing-2')).toEqual([]);
    expect((await things()).map((r) => r.id)).toEqual(['1']);
  });

  it('rolls the event back when the projection fails', async () => {
    await expect(store.append('thing-3', 'no_stream', [ev], { ...alpha, projection: insertThing('3', 'alpha', 'bad') })).rejects.toThrow(/check constraint/);
    expect(await events('thing-3')).toEqual([]);
  });

  it('writes neither on a concurrency conflict, and applies an update at the new version', async () => {
    await expect(store.append('thing-1', 'no_stream', [ev], { ...alpha, projection: insertThing('1b', 'alpha') })).rejects.toBeInstanceOf(ConcurrencyError);
    await expect(store.append('thing-1', 5, [ev], { ...alpha, projection: renameThing('1', 'stale') })).rejects.toBeInstanceOf(ConcurrencyError);
    const r = await store.append('thing-1', 1, [ev], { ...alpha, projection: renameThing('1', 'renamed') });
    expect(r.projected).toEqual({ id: '1', name: 'renamed', version: 2 });
    expect(await things()).toEqual([{ id: '1', namespace: 'alpha', name: 'renamed', version: 2 }]);
  });

  it('projects nothing on an idempotent replay and works inside a caller transaction', async () => {
    const first = await store.append('thing-4', 'no_stream', [ev], { ...alpha, idempotencyKey: 'k', projection: insertThing('4', 'alpha') });
    const again = await store.append('thing-4', 'no_stream', [ev], { ...alpha, idempotencyKey: 'k', projection: insertThing('4-dup', 'alpha') });
    expect(again.replayed).toBe(true);
    expect(again.projected).toBeUndefined();
    expect(again.globalPositions).toEqual(first.globalPositions);
    const inTx = await t.db.tenant('alpha', (client) => store.append('thing-4', 1, [ev], { ...alpha, client, projection: renameThing('4', 'tx') }));
    expect(inTx.projected).toEqual({ id: '4', name: 'tx', version: 2 });
    expect((await things()).map((r) => r.id)).toEqual(['1', '4']);
  });

  it('refuses a projection for a batch', async () => {
    await expect(store.append('thing-5', 'no_stream', [ev, ev], { ...alpha, projection: insertThing('5', 'alpha') })).rejects.toThrow(/single-event/);
  });

  it('an insert with replaceOlder overwrites an older row only; a versioned delete removes only a row older than the event', async () => {
    const at = (streamVersion: number) => ({ streamVersion, globalPosition: 999, recordedAt: new Date() });
    const apply = (p: InlineProjection, v: number) => t.db.tenant('alpha', (c) => c.query(projectionAt(p, at(v)).text, projectionAt(p, at(v)).values));
    await store.append('thing-7', 'no_stream', [ev], { ...alpha, projection: storeThing('7', 'first', { replaceOlder: 'version' }) });
    const second = await store.append('thing-7', 1, [ev], { ...alpha, projection: storeThing('7', 'second', { replaceOlder: 'version' }) });
    expect(second.projected).toEqual({ id: '7', name: 'second', version: 2 });
    // The default keeps the row; an older event replayed with replaceOlder leaves the newer row alone.
    await apply(storeThing('7', 'kept', 'keep'), 3);
    expect((await apply(storeThing('7', 'stale', { replaceOlder: 'version' }), 1)).rowCount).toBe(0);
    expect((await things()).find((r) => r.id === '7')).toMatchObject({ name: 'second', version: 2 });
    // A delete at the row's own version (a replay of the event that wrote it) deletes nothing.
    expect((await apply(deleteThing('7', 'version'), 2)).rowCount).toBe(0);
    const gone = await store.append('thing-7', 2, [ev], { ...alpha, projection: deleteThing('7', 'version') });
    expect(gone.projected).toEqual({ id: '7', version: 2 });
    expect((await things()).find((r) => r.id === '7')).toBeUndefined();
  });

  it('an insert with replace overwrites whatever is there; an unversioned delete is idempotent by key', async () => {
    await store.append('thing-8', 'no_stream', [ev], { ...alpha, projection: storeThing('8', 'first', 'keep') });
    const again = await t.db.tenant('alpha', (client) => store.append('thing-8', 1, [ev], { ...alpha, client, projection: storeThing('8', 'again', 'replace') }));
    expect(again.projected).toEqual({ id: '8', name: 'again', version: 2 });
    const first = await store.append('thing-8', 2, [ev], { ...alpha, idempotencyKey: 'del', projection: deleteThing('8') });
    expect(first.projected).toEqual({ id: '8', version: 2 });
    const replay = await store.append('thing-8', 2, [ev], { ...alpha, idempotencyKey: 'del', projection: deleteThing('8') });
    expect(replay.replayed).toBe(true);
    expect(replay.projected).toBeUndefined();
    expect((await things()).find((r) => r.id === '8')).toBeUndefined();
  });

  it('applies the same statement standalone for an event already in the log (replay), idempotently', async () => {
    const at = { streamVersion: 1, globalPosition: 999, recordedAt: new Date() };
    const stmt = projectionAt(insertThing('6', 'alpha'), at);
    await t.db.tenant('alpha', (c) => c.query(stmt.text, stmt.values));
    await t.db.tenant('alpha', (c) => c.query(stmt.text, stmt.values));
    expect((await things()).filter((r) => r.id === '6')).toEqual([{ id: '6', namespace: 'alpha', name: 'n', version: 1 }]);
  });
});
