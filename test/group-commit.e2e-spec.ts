import request from 'supertest';
import { startTestApp, TestApp } from '@cave/testing';
import { createApp } from '../apps/cave-daemon/src/bootstrap/create-app';

const ADMIN = 'cave_sk_' + 'g'.repeat(40);

/**
 * Concurrent requests share round trips and commits (Database.appends / Database.lookups), over real HTTP:
 * every caller still gets its own answer, tenants stay apart, and a revoked key fails on its very next
 * request even when its lookup travels in a batch with others.
 */
describe('group commit under concurrent requests (e2e)', () => {
  let t: TestApp;
  const bearer = (k: string) => ({ authorization: `Bearer ${k}` });
  const issue = async (namespace: string) =>
    (await request(t.url).post('/api/v1/auth/keys').set(bearer(ADMIN)).send({ namespace, name: `${namespace}-gc`, role: 'member' }).expect(201)).body as { id: string; key: string };
  const create = (key: string, name: string) => request(t.url).post('/api/v1/sandboxes').set(bearer(key)).send({ name, runtime: 'wasi', mode: 'quick' });
  const metric = (text: string, name: string, batcher: string) => Number(new RegExp(`^${name}\\{batcher="${batcher}"\\} (\\d+)`, 'm').exec(text)?.[1] ?? NaN);

  beforeAll(async () => {
    t = await startTestApp(createApp, { CAVE_BOOTSTRAP_ADMIN_KEY: ADMIN });
  });
  afterAll(() => t.close());

  it('40 concurrent creations from two tenants: each gets its own sandbox, and they shared round trips', async () => {
    const [a, b] = [await issue('gc-a'), await issue('gc-b')];
    const before = (await request(t.url).get('/metrics').set('authorization', `Bearer ${ADMIN}`).expect(200)).text;
    const responses = await Promise.all(Array.from({ length: 40 }, (_, i) => create(i % 2 ? b.key : a.key, `gc-${i}`)));
    expect(responses.map((r) => r.status)).toEqual(Array(40).fill(201));
    responses.forEach((r, i) => expect(r.body).toMatchObject({ name: `gc-${i}`, namespace: i % 2 ? 'gc-b' : 'gc-a', state: 'created', version: 1 }));
    expect(new Set(responses.map((r) => r.body.id)).size).toBe(40);

    for (const [key, ns] of [[a.key, 'gc-a'], [b.key, 'gc-b']] as const) {
      const list = await request(t.url).get('/api/v1/sandboxes?limit=100').set(bearer(key)).expect(200);
      expect(list.body.items).toHaveLength(20);
      expect(list.body.items.every((s: { namespace: string }) => s.namespace === ns)).toBe(true);
    }
    const created = await request(t.url).get('/api/v1/admin/events?type=sandbox_created&limit=1000').set(bearer(ADMIN)).expect(200);
    expect(created.body.items).toHaveLength(40);

    const after = (await request(t.url).get('/metrics').set('authorization', `Bearer ${ADMIN}`).expect(200)).text;
    const delta = (name: string) => metric(after, name, 'appends') - (metric(before, name, 'appends') || 0);
    expect(delta('cave_db_batch_statements_total')).toBe(40);
    // Coalesced: fewer round trips than statements (the first leaves alone; the rest queue behind it).
    expect(delta('cave_db_batch_round_trips_total')).toBeLessThan(40);
    expect(delta('cave_db_batch_splits_total')).toBe(0);
  });

  it('a key revoked a moment ago fails on every one of its next requests, while batched with valid ones', async () => {
    const [doomed, fine] = [await issue('gc-c'), await issue('gc-c')];
    await request(t.url).delete(`/api/v1/auth/keys/${doomed.id}`).set(bearer(ADMIN)).expect(204);
    const responses = await Promise.all(Array.from({ length: 30 }, (_, i) => create(i % 2 ? doomed.key : fine.key, `rv-${i}`)));
    expect(responses.map((r) => r.status)).toEqual(Array.from({ length: 30 }, (_, i) => (i % 2 ? 401 : 201)));
    const list = await request(t.url).get('/api/v1/sandboxes?limit=100').set(bearer(fine.key)).expect(200);
    expect(list.body.items).toHaveLength(15);
  });
});
