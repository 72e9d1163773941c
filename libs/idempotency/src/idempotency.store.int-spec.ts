import { createTestDatabase, TestDatabase } from '@cave/testing';
import { IdempotencyStore } from './idempotency.store';

describe('IdempotencyStore (real Postgres)', () => {
  let t: TestDatabase;
  let store: IdempotencyStore;
  const response = { status: 201, headers: { etag: '"1"' }, body: '{"id":"x"}' };

  beforeAll(async () => {
    t = await createTestDatabase();
    store = new IdempotencyStore(t.db);
  });
  afterAll(() => t.drop());

  it('claims once; a retry of the finished request replays the stored response', async () => {
    expect(await store.claim('ns', 'k1', 'fp')).toEqual({ kind: 'claimed' });
    expect(await store.claim('ns', 'k1', 'fp')).toEqual({ kind: 'in_progress', retryAfterSeconds: 1 });
    await store.complete('ns', 'k1', 'fp', response);
    expect(await store.claim('ns', 'k1', 'fp')).toEqual({ kind: 'replay', response });
  });

  it('the same key with another request is a mismatch, before and after completion', async () => {
    await store.claim('ns', 'k2', 'fp-a');
    expect(await store.claim('ns', 'k2', 'fp-b')).toEqual({ kind: 'mismatch' });
    await store.complete('ns', 'k2', 'fp-a', response);
    expect(await store.claim('ns', 'k2', 'fp-b')).toEqual({ kind: 'mismatch' });
  });

  it('exactly one of many concurrent duplicates claims the key', async () => {
    const claims = await Promise.all(Array.from({ length: 12 }, () => store.claim('ns', 'k3', 'fp')));
    expect(claims.filter((c) => c.kind === 'claimed')).toHaveLength(1);
    expect(claims.filter((c) => c.kind === 'in_progress')).toHaveLength(11);
  });

  it('a released claim can be claimed again (the failed request committed nothing)', async () => {
    await store.claim('ns', 'k4', 'fp');
    await store.release('ns', 'k4', 'fp');
    expect(await store.claim('ns', 'k4', 'fp-other')).toEqual({ kind: 'claimed' });
  });

  it('keys are per namespace and invisible across namespaces', async () => {
    await store.claim('ns-a', 'shared', 'fp-a');
    await store.complete('ns-a', 'shared', 'fp-a', response);
    expect(await store.claim('ns-b', 'shared', 'fp-b')).toEqual({ kind: 'claimed' });
    const seenByB = await t.db.tenant('ns-b', async (c) => (await c.query(`select namespace from idempotency_keys where idempotency_key = 'shared'`)).rows);
    expect(seenByB).toEqual([{ namespace: 'ns-b' }]);
  });

  it('an abandoned claim is taken over after its lease, an expired record is reused', async () => {
    const short = new IdempotencyStore(t.db);
    short.timings = { leaseSeconds: 0, retentionSeconds: 3600 };
    await short.claim('ns', 'k5', 'fp');
    expect(await short.claim('ns', 'k5', 'fp')).toEqual({ kind: 'claimed' });
    // A takeover needs the same request: a different one stays a mismatch.
    expect(await short.claim('ns', 'k5', 'other')).toEqual({ kind: 'mismatch' });

    const expiring = new IdempotencyStore(t.db);
    expiring.timings = { leaseSeconds: 30, retentionSeconds: 0 };
    await expiring.claim('ns', 'k6', 'fp');
    await expiring.complete('ns', 'k6', 'fp', response);
    expect(await store.claim('ns', 'k6', 'new')).toEqual({ kind: 'claimed' });
    expect(await expiring.purgeExpired()).toBeGreaterThanOrEqual(0);
  });
});
