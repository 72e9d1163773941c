import request from 'supertest';
import { startTestApp, TestApp, waitFor } from '@cave/testing';
import { createApp } from '../apps/cave-daemon/src/bootstrap/create-app';

jest.setTimeout(60_000);

const ADMIN = 'cave_sk_' + 'r'.repeat(40);
const bearer = (k: string) => ({ authorization: `Bearer ${k}` });

/** Sandboxes on the projection runtime: time travel for the owner, admin stream view, zero-downtime rebuild. */
describe('sandbox time travel and rebuild (e2e)', () => {
  let t: TestApp;
  let member: string;
  let stranger: string;
  const http = () => request(t.url);

  beforeAll(async () => {
    t = await startTestApp(createApp, { CAVE_BOOTSTRAP_ADMIN_KEY: ADMIN });
    const issue = async (namespace: string) =>
      (await http().post('/api/v1/auth/keys').set(bearer(ADMIN)).send({ namespace, name: `${namespace}-e2e`, role: 'member' }).expect(201)).body.key as string;
    member = await issue('replay-a');
    stranger = await issue('replay-b');
  });
  afterAll(() => t.close());

  const lifecycle = async () => {
    const created = await http().post('/api/v1/sandboxes').set(bearer(member)).send({ name: 'tt', runtime: 'javascript', mode: 'quick' }).expect(201);
    const id = created.body.id as string;
    await http().post(`/api/v1/sandboxes/${id}/start`).set(bearer(member)).expect(200);
    await http().post(`/api/v1/sandboxes/${id}/stop`).set(bearer(member)).expect(200);
    const events = (await http().get(`/api/v1/sandboxes/${id}/events`).set(bearer(member)).expect(200)).body.items as { type: string; globalPosition: number }[];
    return { id, positions: Object.fromEntries(events.map((e) => [e.type, e.globalPosition])) as Record<string, number> };
  };

  it('GET /api/v1/sandboxes/{id}?at= shows the sandbox before and after a transition, only to its namespace', async () => {
    const { id, positions } = await lifecycle();
    const at = async (p: number | string, key = member) => http().get(`/api/v1/sandboxes/${id}?at=${encodeURIComponent(String(p))}`).set(bearer(key));

    const beforeStart = await at(positions.sandbox_started - 1);
    expect(beforeStart.status).toBe(200);
    expect(beforeStart.body).toMatchObject({ id, state: 'created', version: 1, name: 'tt', namespace: 'replay-a' });
    expect(beforeStart.headers.etag).toBe('"1"');
    expect((await at(positions.sandbox_started)).body).toMatchObject({ state: 'running', version: 2 });
    expect((await at(positions.sandbox_stopped)).body).toMatchObject({ state: 'stopped', version: 3 });
    expect((await at(new Date(Date.now() + 60_000).toISOString())).body).toMatchObject({ state: 'stopped', version: 3 });
    // Did not exist yet / other tenant / nonsense: 404, 404, 400.
    expect((await at(positions.sandbox_created - 1)).status).toBe(404);
    expect((await at(positions.sandbox_started, stranger)).status).toBe(404);
    expect((await at('soon')).status).toBe(400);

    const admin = await http().get(`/api/v1/admin/streams/sandbox-${id}?at=${positions.sandbox_started}`).set(bearer(ADMIN)).expect(200);
    expect(admin.body).toMatchObject({ streamType: 'sandbox', namespace: 'replay-a', version: 2, state: { id, state: 'running' } });
  });

  it('rebuilds the sandboxes read model with zero downtime and keeps read-your-writes afterwards', async () => {
    for (let i = 0; i < 5; i++) await lifecycle();
    const dump = async () => (await t.database.db.admin.query('select * from sandboxes order by id')).rows;
    const projection = async () => (await http().get('/api/v1/admin/projections/sandboxes').set(bearer(ADMIN)).expect(200)).body;
    await waitFor(async () => ((await projection()).lagEvents === 0 ? true : undefined), 20_000, 'sandboxes projector caught up');
    const before = await dump();

    await http().post('/api/v1/admin/projections/sandboxes/rebuild').set(bearer(ADMIN)).expect(202);
    let served = 0;
    await waitFor(async () => {
      // The live table keeps answering while the shadow is built.
      const list = await http().get('/api/v1/sandboxes').set(bearer(member)).expect(200);
      served = Math.max(served, list.body.items.length);
      return (await projection()).rebuild.status === 'done' ? true : undefined;
    }, 30_000, 'rebuild done');
    expect(served).toBeGreaterThan(0);
    expect(await dump()).toEqual(before);

    // The caller still reads its own write at once: the inline path writes the swapped-in table.
    const created = await http().post('/api/v1/sandboxes').set(bearer(member)).send({ name: 'after-swap', runtime: 'wasi', mode: 'persistent' }).expect(201);
    await http().get(`/api/v1/sandboxes/${created.body.id}`).set(bearer(member)).expect(200);
    await http().get(`/api/v1/sandboxes/${created.body.id}`).set(bearer(stranger)).expect(404);
  });
});
