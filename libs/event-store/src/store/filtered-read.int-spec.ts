import { createTestDatabase, TestDatabase } from '@cave/testing';
import { decodeCursor } from './event-cursor';
import { EventStore } from './event-store';

/**
 * `skipFiltered`: a follower reading only some event types still moves its cursor over the rows it does
 * not want, but never past a row that is not final yet (ADR 0002), so a wanted event that commits late is
 * read, not skipped.
 */
describe('readAll with a type filter that skips what it does not want', () => {
  let t: TestDatabase;
  let store: EventStore;
  beforeAll(async () => {
    t = await createTestDatabase();
    store = new EventStore(t.db);
  });
  afterAll(() => t.drop());

  const append = (stream: string, type: string) => store.append(stream, 'any', [{ type, data: { type } }], { namespace: 'skip', streamType: 'x' });
  const head = async () => (await t.db.admin.query<{ p: string }>('select max(global_position) as p from events')).rows[0].p;

  it('moves past unwanted rows on a partial page, stops at the last wanted event on a full one', async () => {
    await append('a', 'wanted');
    await append('b', 'other');
    await append('c', 'wanted');
    for (let i = 0; i < 3; i++) await append(`d${i}`, 'other');
    const filter = { types: ['wanted'] };

    const full = await store.readAll({ limit: 2, filter, skipFiltered: true });
    expect(full.events.map((e) => e.streamId)).toEqual(['a', 'c']);
    expect(full.cursor).toBe(full.events[1].cursor);

    const rest = await store.readAll({ after: full.cursor, limit: 2, filter, skipFiltered: true });
    expect(rest.events).toHaveLength(0);
    expect(decodeCursor(rest.cursor).globalPosition.toString()).toBe(await head());

    // Without the option, the cursor only ever names a returned event (what paging APIs hand out).
    const plain = await store.readAll({ after: full.cursor, limit: 2, filter });
    expect(plain.cursor).toBe(full.cursor);

    // The payload as stored when asked (no upcaster here, so only the shape is checked).
    const raw = await store.readAll({ limit: 1, filter, skipFiltered: true, upcast: false });
    expect(raw.events[0].data).toEqual({ type: 'wanted' });
  });

  it('never moves past a wanted event whose transaction is still open, and reads it once committed', async () => {
    const start = (await store.readAll({ limit: 10_000, filter: { types: ['late'] }, skipFiltered: true })).cursor;
    let appended!: () => void;
    let release!: () => void;
    const held = new Promise<void>((r) => (appended = r));
    const released = new Promise<void>((r) => (release = r));
    // A takes the lower position for a wanted event and stays open; later unwanted events commit first.
    const a = t.db.tenant('skip', async (client) => {
      await store.append('late-a', 'any', [{ type: 'late', data: {} }], { namespace: 'skip', streamType: 'x', client });
      appended();
      await released;
    });
    await held;
    for (let i = 0; i < 3; i++) await append(`after-${i}`, 'other');
    const during = await store.readAll({ after: start, limit: 10, filter: { types: ['late'] }, skipFiltered: true });
    expect(during.events).toHaveLength(0);
    // Nothing is final behind A's xid, so the cursor stays where it was.
    expect(during.cursor).toBe(start);
    release();
    await a;
    const after = await store.readAll({ after: during.cursor, limit: 10, filter: { types: ['late'] }, skipFiltered: true });
    expect(after.events.map((e) => e.streamId)).toEqual(['late-a']);
    expect(decodeCursor(after.cursor).globalPosition.toString()).toBe(await head());
  });
});
