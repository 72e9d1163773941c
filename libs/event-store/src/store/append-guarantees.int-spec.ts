import { createTestDatabase, TestDatabase } from '@cave/testing';
import { ConcurrencyError } from './concurrency.errors';
import { EventStore } from './event-store';

/** The guarantees the append fast path (migration 1732550000000) must keep. */
describe('EventStore.append guarantees (real Postgres)', () => {
  let t: TestDatabase;
  let store: EventStore;

  beforeAll(async () => {
    t = await createTestDatabase();
    store = new EventStore(t.db);
  });
  afterAll(() => t.drop());

  const ev = (type: string) => ({ type, data: { type } });
  const alpha = { namespace: 'alpha', streamType: 'thing' };
  const bravo = { namespace: 'bravo', streamType: 'thing' };

  it('refuses no_stream for an existing stream, and for a stream id taken in another namespace', async () => {
    await store.append('fast-1', 'no_stream', [ev('a'), ev('b')], alpha);
    await expect(store.append('fast-1', 'no_stream', [ev('c')], alpha)).rejects.toBeInstanceOf(ConcurrencyError);
    // bravo cannot see alpha's stream, but still must not write into the same stream id.
    await expect(store.append('fast-1', 'no_stream', [ev('x')], bravo)).rejects.toBeInstanceOf(ConcurrencyError);
    const rows = await t.db.asAdmin((c) => c.query(`select namespace, stream_version from events where stream_id = 'fast-1' order by 2`));
    expect(rows.rows).toEqual([
      { namespace: 'alpha', stream_version: 1 },
      { namespace: 'alpha', stream_version: 2 },
    ]);
  });

  it('lets exactly one of many racing no_stream writers create the stream', async () => {
    const results = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => store.append('fast-race', 'no_stream', [ev(`w${i}`)], alpha)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(ConcurrencyError);
    expect(await store.readStream('fast-race', alpha)).toHaveLength(1);
  });

  it('returns a batch in version order with global positions ascending in the same order', async () => {
    const r = await store.append('fast-batch', 'no_stream', Array.from({ length: 50 }, (_, i) => ev(`e${i}`)), alpha);
    expect(r.nextExpectedVersion).toBe(50);
    expect(r.globalPositions).toEqual([...r.globalPositions].sort((a, b) => a - b));
    const read = await store.readStream('fast-batch', alpha);
    expect(read.map((e) => e.type)).toEqual(Array.from({ length: 50 }, (_, i) => `e${i}`));
    expect(read.map((e) => e.globalPosition)).toEqual(r.globalPositions);
    const next = await store.append('fast-batch', 50, [ev('tail')], alpha);
    expect(next.nextExpectedVersion).toBe(51);
  });

  it('still reports the actual version for a wrong numeric expectation', async () => {
    await store.append('fast-2', 'no_stream', [ev('a')], alpha);
    const err = await store.append('fast-2', 3, [ev('b')], alpha).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConcurrencyError);
    expect((err as ConcurrencyError).actual).toBe(1);
  });

  it('works on a caller transaction with the named statement, and a conflict there aborts only that transaction', async () => {
    await t.db.tenant('alpha', async (c) => {
      await store.append('fast-tx', 'no_stream', [ev('a')], { ...alpha, client: c });
      await store.append('fast-tx', 1, [ev('b')], { ...alpha, client: c });
    });
    await expect(
      t.db.tenant('alpha', (c) => store.append('fast-tx', 'no_stream', [ev('c')], { ...alpha, client: c })),
    ).rejects.toBeInstanceOf(ConcurrencyError);
    expect((await store.readStream('fast-tx', alpha)).map((e) => e.type)).toEqual(['a', 'b']);
    // Many appends over the same pooled connections reuse the prepared statement.
    for (let i = 0; i < 30; i++) await store.append(`fast-many-${i}`, 'no_stream', [ev('a')], alpha);
  });

  it('keeps idempotent retries of no_stream appends a no-op', async () => {
    const first = await store.append('fast-idem', 'no_stream', [ev('a')], { ...alpha, idempotencyKey: 'k' });
    const again = await store.append('fast-idem', 'no_stream', [ev('a')], { ...alpha, idempotencyKey: 'k' });
    expect(again).toMatchObject({ replayed: true, globalPositions: first.globalPositions });
    await expect(store.append('fast-idem', 'no_stream', [ev('a')], { ...alpha, idempotencyKey: 'other' })).rejects.toBeInstanceOf(
      ConcurrencyError,
    );
  });
});
