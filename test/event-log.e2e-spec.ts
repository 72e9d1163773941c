import request from 'supertest';
import { EventStore } from '@cave/event-store';
import { startTestApp, TestApp, waitFor } from '@cave/testing';
import { createApp } from '../apps/cave-daemon/src/bootstrap/create-app';

jest.setTimeout(60_000);

const ADMIN = 'cave_sk_' + 'l'.repeat(40);
const bearer = (key: string) => ({ Authorization: `Bearer ${key}` });

/** The event-log API the console is built on: whoami, the member namespace log, filters, admin proofs. */
describe('event log API for clients such as the console (real HTTP, real Postgres)', () => {
  let t: TestApp;
  let keyA: { key: string; id: string };
  let keyB: { key: string; id: string };
  let sandboxA: string;
  let sandboxB: string;
  const api = () => request(t.url);
  const ids = (res: request.Response) => (res.body.items as { eventId: string }[]).map((e) => e.eventId);

  beforeAll(async () => {
    t = await startTestApp(createApp, { CAVE_BOOTSTRAP_ADMIN_KEY: ADMIN });
    const issue = async (namespace: string) => (await api().post('/api/v1/auth/keys').set(bearer(ADMIN)).send({ namespace, name: 'k', role: 'member' }).expect(201)).body;
    keyA = await issue('log-a');
    keyB = await issue('log-b');
    sandboxA = (await api().post('/api/v1/sandboxes').set(bearer(keyA.key)).set('x-request-id', 'req-alpha-1').send({ name: 'a', runtime: 'javascript', mode: 'quick' }).expect(201)).body.id;
    await api().post(`/api/v1/sandboxes/${sandboxA}/start`).set(bearer(keyA.key)).set('x-request-id', 'req-alpha-2').expect(200);
    sandboxB = (await api().post('/api/v1/sandboxes').set(bearer(keyB.key)).send({ name: 'b', runtime: 'javascript', mode: 'quick' }).expect(201)).body.id;
  });
  afterAll(() => t.close());

  it('GET /api/v1/auth/whoami names the key, its namespace and role; 401 without a key', async () => {
    expect((await api().get('/api/v1/auth/whoami').set(bearer(keyA.key)).expect(200)).body).toEqual({ keyId: keyA.id, namespace: 'log-a', role: 'member' });
    expect((await api().get('/api/v1/auth/whoami').set(bearer(ADMIN)).expect(200)).body).toMatchObject({ role: 'admin' });
    await api().get('/api/v1/auth/whoami').expect(401);
  });

  it("GET /api/v1/events: a member sees its own namespace's log only; another namespace's stream is simply empty", async () => {
    const mine = await api().get('/api/v1/events').set(bearer(keyA.key)).expect(200);
    const namespaces = new Set((mine.body.items as { namespace: string }[]).map((e) => e.namespace));
    expect([...namespaces]).toEqual(['log-a']);
    expect((mine.body.items as { streamId: string }[]).some((e) => e.streamId === `sandbox-${sandboxA}`)).toBe(true);
    const theirs = await api().get('/api/v1/events').query({ streamId: `sandbox-${sandboxB}` }).set(bearer(keyA.key)).expect(200);
    expect(theirs.body.items).toEqual([]);
    // The namespace filter is the admin's: a member cannot even ask for another one.
    const res = await api().get('/api/v1/events').query({ namespace: 'log-b' }).set(bearer(keyA.key)).expect(400);
    expect(res.body.code).toBe('HTTP.VALIDATION');
    // Cursor paging works the same as on the global log.
    const first = await api().get('/api/v1/events').query({ limit: 1 }).set(bearer(keyA.key)).expect(200);
    const next = await api().get('/api/v1/events').query({ limit: 1, after: first.body.nextCursor }).set(bearer(keyA.key)).expect(200);
    expect(next.body.items[0].globalPosition).toBeGreaterThan(first.body.items[0].globalPosition);
  });

  it('filters the global log by actor, correlation, causation, event id and time range', async () => {
    const byActor = await api().get('/api/v1/admin/events').query({ actor: keyA.id }).set(bearer(ADMIN)).expect(200);
    expect(byActor.body.items.map((e: { type: string }) => e.type)).toEqual(['sandbox_created', 'sandbox_started']);

    const byCorrelation = await api().get('/api/v1/admin/events').query({ correlationId: 'req-alpha-2' }).set(bearer(ADMIN)).expect(200);
    expect(byCorrelation.body.items.map((e: { type: string }) => e.type)).toEqual(['sandbox_started']);

    const cause = byActor.body.items[0];
    const store = t.app.get(EventStore);
    await store.append('note-1', 'any', [{ type: 'note_added', data: {} }], { namespace: 'log-a', streamType: 'note', causationId: cause.eventId });
    const caused = await api().get('/api/v1/admin/events').query({ causationId: cause.eventId }).set(bearer(ADMIN));
    expect(caused.body.items.map((e: { streamId: string }) => e.streamId)).toEqual(['note-1']);

    const one = await api().get('/api/v1/admin/events').query({ eventId: cause.eventId }).set(bearer(ADMIN)).expect(200);
    expect(ids(one)).toEqual([cause.eventId]);

    const at = new Date(cause.recordedAt);
    const from = new Date(at.getTime() - 1).toISOString();
    const to = new Date(at.getTime() + 1).toISOString();
    const inRange = await api().get('/api/v1/admin/events').query({ from, to, namespace: 'log-a' }).set(bearer(ADMIN)).expect(200);
    expect(ids(inRange)).toContain(cause.eventId);
    const future = await api().get('/api/v1/admin/events').query({ from: new Date(Date.now() + 3_600_000).toISOString() }).set(bearer(ADMIN)).expect(200);
    expect(future.body.items).toEqual([]);
  });

  it.each([
    [{ from: 'yesterday' }, 'from'],
    [{ to: '2026-13-01T00:00:00Z' }, 'to'],
    [{ from: '2026-11-02T00:00:00Z', to: '2026-11-01T00:00:00Z' }, 'to'],
    [{ actor: "x' or 1=1 --" }, 'actor'],
    [{ eventId: 'not-a-uuid' }, 'eventId'],
    [{ correlationId: 'a'.repeat(201) }, 'correlationId'],
  ])('rejects %p with 400 naming %s', async (q, field) => {
    const res = await api().get('/api/v1/admin/events').query(q).set(bearer(ADMIN)).expect(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.code).toBe('HTTP.VALIDATION');
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  it("GET /api/v1/admin/audit/entries/{eventId}/proof: any namespace's event for admins, 403 for members", async () => {
    const created = (await api().get('/api/v1/events').query({ streamId: `sandbox-${sandboxB}` }).set(bearer(keyB.key)).expect(200)).body.items[0];
    const proof = await waitFor(async () => {
      const r = await api().get(`/api/v1/admin/audit/entries/${created.eventId}/proof`).set(bearer(ADMIN));
      return r.status === 200 ? r.body : undefined;
    }, 15_000, 'audit entry');
    expect(proof.entry).toMatchObject({ eventId: created.eventId, namespace: 'log-b' });
    expect(proof.checkpoint).toContain(`\n${proof.treeSize}\n`);
    await api().get(`/api/v1/admin/audit/entries/${created.eventId}/proof`).set(bearer(keyA.key)).expect(403);
    // A member of another namespace gets the 404 of an event that does not exist.
    await api().get(`/api/v1/audit/entries/${created.eventId}/proof`).set(bearer(keyA.key)).expect(404);
    const missing = await api().get('/api/v1/admin/audit/entries/00000000-0000-4000-8000-000000000000/proof').set(bearer(ADMIN)).expect(404);
    expect(missing.headers['content-type']).toMatch(/^application\/problem\+json/);
  });
});

describe('console route without a built console', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(createApp, { CAVE_CONSOLE_DIR: '/tmp/cave-console-never-built' });
  });
  afterAll(() => t.close());

  it('answers 503 CONSOLE.NOT_BUILT instead of a bare 404', async () => {
    const res = await request(t.url).get('/console/').expect(503);
    expect(res.body.code).toBe('CONSOLE.NOT_BUILT');
    await request(t.url).get('/console').expect(301);
  });
});
