import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { startTestApp, TestApp } from '@cave/testing';
import { createApp } from '../apps/cave-daemon/src/bootstrap/create-app';
import { INVALID_CREATE_BODIES } from './support/sandbox-bad-inputs';

const ADMIN = 'cave_sk_' + 'x'.repeat(40);

interface Keys {
  admin: string;
  memberA: string;
  memberAId: string;
  memberB: string;
  memberC: string;
}

/** The sandbox API over real HTTP against real Postgres, including an attacker in another namespace. */
describe('sandboxes API (e2e)', () => {
  let t: TestApp;
  let keys: Keys;
  const bearer = (k: string) => ({ authorization: `Bearer ${k}` });
  const body = { name: 'build-runner', runtime: 'javascript', mode: 'quick' };

  beforeAll(async () => {
    t = await startTestApp(createApp, { CAVE_BOOTSTRAP_ADMIN_KEY: ADMIN, CAVE_BODY_LIMIT_BYTES: '16384' });
    const issue = async (namespace: string) =>
      (await request(t.url).post('/api/v1/auth/keys').set(bearer(ADMIN)).send({ namespace, name: `${namespace}-e2e`, role: 'member' }).expect(201)).body as {
        id: string;
        key: string;
      };
    const [a, b, c] = [await issue('team-a'), await issue('team-b'), await issue('team-c')];
    keys = { admin: ADMIN, memberA: a.key, memberAId: a.id, memberB: b.key, memberC: c.key };
  });
  afterAll(() => t.close());

  const http = () => request(t.url);
  const create = (key: string, payload: object = body, headers: Record<string, string> = {}) =>
    http().post('/api/v1/sandboxes').set(bearer(key)).set(headers).send(payload);
  const events = async (key: string, id: string) => (await http().get(`/api/v1/sandboxes/${id}/events`).set(bearer(key)).expect(200)).body.items as { type: string }[];
  const expectProblem = (res: request.Response, status: number, code?: string) => {
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status, type: expect.any(String), title: expect.any(String), detail: expect.any(String), code: code ?? expect.any(String) });
  };

  describe('lifecycle', () => {
    it('create -> start -> stop -> start -> stop -> delete, with ETags, history and read model', async () => {
      const res = await create(keys.memberA, { ...body, limits: { memoryMb: 128 }, labels: { team: 'payments' } }, { 'x-request-id': 'req-lifecycle' }).expect(201);
      const id = res.body.id as string;
      expect(res.headers.etag).toBe('"1"');
      expect(res.headers.location).toBe(`/api/v1/sandboxes/${id}`);
      expect(res.body).toEqual({
        id,
        namespace: 'team-a',
        name: 'build-runner',
        runtime: 'javascript',
        mode: 'quick',
        state: 'created',
        limits: { memoryMb: 128, timeoutMs: 5000, maxOutputBytes: 65536 },
        labels: { team: 'payments' },
        version: 1,
        createdBy: keys.memberAId,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      const got = await http().get(`/api/v1/sandboxes/${id}`).set(bearer(keys.memberA)).expect(200);
      expect(got.headers.etag).toBe('"1"');
      expect(got.body).toEqual(res.body);

      const steps: [string, string, string][] = [
        ['post', 'start', 'running'],
        ['post', 'stop', 'stopped'],
        ['post', 'start', 'running'],
        ['post', 'stop', 'stopped'],
        ['delete', '', 'deleted'],
      ];
      for (const [i, [method, action, state]] of steps.entries()) {
        const url = `/api/v1/sandboxes/${id}${action ? `/${action}` : ''}`;
        const r = await (method === 'post' ? http().post(url) : http().delete(url)).set(bearer(keys.memberA)).set('x-request-id', 'req-lifecycle').expect(200);
        expect(r.body).toMatchObject({ id, state, version: i + 2 });
        expect(r.headers.etag).toBe(`"${i + 2}"`);
      }
      expect((await http().get(`/api/v1/sandboxes/${id}`).set(bearer(keys.memberA)).expect(200)).body.state).toBe('deleted');

      const history = await http().get(`/api/v1/sandboxes/${id}/events`).set(bearer(keys.memberA)).expect(200);
      expect(history.body.items.map((e: { type: string }) => e.type)).toEqual([
        'sandbox_created',
        'sandbox_started',
        'sandbox_stopped',
        'sandbox_started',
        'sandbox_stopped',
        'sandbox_deleted',
      ]);
      expect(history.body.nextCursor).toBeNull();
      for (const [i, e] of history.body.items.entries()) {
        expect(e).toMatchObject({ namespace: 'team-a', streamType: 'sandbox', streamId: `sandbox-${id}`, streamVersion: i + 1, schemaVersion: 1 });
        expect(e.metadata).toMatchObject({ actor: keys.memberAId, correlationId: 'req-lifecycle' });
      }
      expect(history.body.items[0].data).toMatchObject({ sandboxId: id, limits: { memoryMb: 128, timeoutMs: 5000, maxOutputBytes: 65536 } });
      const paged = await http().get(`/api/v1/sandboxes/${id}/events?after=2&limit=3`).set(bearer(keys.memberA)).expect(200);
      expect(paged.body.items.map((e: { streamVersion: number }) => e.streamVersion)).toEqual([3, 4, 5]);
      expect(paged.body.nextCursor).toBe('5');
      const beyond = await http().get(`/api/v1/sandboxes/${id}/events?after=1000000000&limit=1000`).set(bearer(keys.memberA)).expect(200);
      expect(beyond.body).toEqual({ items: [], nextCursor: null });
    });

    it('409 on invalid transitions, with the state in the problem', async () => {
      const id = (await create(keys.memberA).expect(201)).body.id;
      expectProblem(await http().post(`/api/v1/sandboxes/${id}/stop`).set(bearer(keys.memberA)), 409, 'SANDBOX.INVALID_TRANSITION');
      await http().post(`/api/v1/sandboxes/${id}/start`).set(bearer(keys.memberA)).expect(200);
      const again = await http().post(`/api/v1/sandboxes/${id}/start`).set(bearer(keys.memberA));
      expectProblem(again, 409, 'SANDBOX.INVALID_TRANSITION');
      expect(again.body).toMatchObject({ state: 'running', action: 'start' });
      expectProblem(await http().delete(`/api/v1/sandboxes/${id}`).set(bearer(keys.memberA)), 409, 'SANDBOX.INVALID_TRANSITION');
      expect(await events(keys.memberA, id)).toHaveLength(2);
    });

    it('If-Match: current version passes, stale is 412, malformed is 400, * means any', async () => {
      const id = (await create(keys.memberA).expect(201)).body.id;
      expectProblem(await http().post(`/api/v1/sandboxes/${id}/start`).set(bearer(keys.memberA)).set('if-match', '"7"'), 412, 'HTTP.PRECONDITION_FAILED');
      expectProblem(await http().post(`/api/v1/sandboxes/${id}/start`).set(bearer(keys.memberA)).set('if-match', 'W/"1"'), 400, 'HTTP.INVALID_IF_MATCH');
      const ok = await http().post(`/api/v1/sandboxes/${id}/start`).set(bearer(keys.memberA)).set('if-match', '"1"').expect(200);
      expect(ok.headers.etag).toBe('"2"');
      // A client holding the old ETag must not stop what someone else started.
      expectProblem(await http().post(`/api/v1/sandboxes/${id}/stop`).set(bearer(keys.memberA)).set('if-match', '"1"'), 412);
      await http().post(`/api/v1/sandboxes/${id}/stop`).set(bearer(keys.memberA)).set('if-match', '*').expect(200);
      expectProblem(await http().delete(`/api/v1/sandboxes/${id}`).set(bearer(keys.memberA)).set('if-match', '"2"'), 412);
      await http().delete(`/api/v1/sandboxes/${id}`).set(bearer(keys.memberA)).set('if-match', '"3"').expect(200);
      expect(await events(keys.memberA, id)).toHaveLength(4);
    });

    it('404 for unknown ids', async () => {
      const ghost = randomUUID();
      expectProblem(await http().get(`/api/v1/sandboxes/${ghost}`).set(bearer(keys.memberA)), 404, 'SANDBOX.NOT_FOUND');
      expectProblem(await http().post(`/api/v1/sandboxes/${ghost}/start`).set(bearer(keys.memberA)), 404, 'SANDBOX.NOT_FOUND');
      expectProblem(await http().get(`/api/v1/sandboxes/${ghost}/events`).set(bearer(keys.memberA)), 404, 'SANDBOX.NOT_FOUND');
    });
  });

  describe('listing', () => {
    it('keyset pages newest first without duplicates; state filter; deleted hidden by default', async () => {
      const ns = keys.memberC;
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push((await create(ns, { ...body, name: `list-${i}` }).expect(201)).body.id);
      await http().post(`/api/v1/sandboxes/${ids[1]}/start`).set(bearer(ns)).expect(200);
      await http().delete(`/api/v1/sandboxes/${ids[0]}`).set(bearer(ns)).expect(200);

      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res: request.Response = await http().get('/api/v1/sandboxes').query({ limit: 2, ...(cursor ? { cursor } : {}) }).set(bearer(ns)).expect(200);
        seen.push(...res.body.items.map((s: { id: string }) => s.id));
        cursor = res.body.nextCursor;
        pages++;
      } while (cursor);
      expect(seen).toEqual([ids[4], ids[3], ids[2], ids[1]]);
      expect(pages).toBe(2);

      const running = await http().get('/api/v1/sandboxes?state=running').set(bearer(ns)).expect(200);
      expect(running.body).toEqual({ items: [expect.objectContaining({ id: ids[1], state: 'running' })], nextCursor: null });
      const deleted = await http().get('/api/v1/sandboxes?state=deleted').set(bearer(ns)).expect(200);
      expect(deleted.body.items.map((s: { id: string }) => s.id)).toEqual([ids[0]]);
      const defaults = await http().get('/api/v1/sandboxes').set(bearer(ns)).expect(200);
      expect(defaults.body.items).toHaveLength(4);
    });

    it.each([
      ['limit=0', 'HTTP.VALIDATION'],
      ['limit=101', 'HTTP.VALIDATION'],
      ['limit=abc', 'HTTP.VALIDATION'],
      ['limit=1.5', 'HTTP.VALIDATION'],
      ['state=exploded', 'HTTP.VALIDATION'],
      ['cursor=not-a-cursor', 'SANDBOX.INVALID_CURSOR'],
      ['cursor=' + 'x'.repeat(300), 'HTTP.VALIDATION'],
      ['sort=name', 'HTTP.VALIDATION'],
    ])('rejects ?%s with 400', async (qs, code) => {
      expectProblem(await http().get(`/api/v1/sandboxes?${qs}`).set(bearer(keys.memberA)), 400, code);
    });
  });

  describe('Idempotency-Key', () => {
    it('a retried create returns the first response (status, body, ETag) and appends nothing', async () => {
      const key = randomUUID();
      const first = await create(keys.memberA, { ...body, name: 'idem' }, { 'idempotency-key': key }).expect(201);
      const again = await create(keys.memberA, { mode: 'quick', runtime: 'javascript', name: 'idem' }, { 'idempotency-key': key }).expect(201);
      expect(again.body).toEqual(first.body);
      expect(again.headers.etag).toBe('"1"');
      expect(again.headers.location).toBe(first.headers.location);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(first.headers['idempotent-replayed']).toBeUndefined();
      expect(await events(keys.memberA, first.body.id)).toHaveLength(1);
      const admin = await http().get('/api/v1/admin/events').query({ streamId: `sandbox-${first.body.id}` }).set(bearer(keys.admin)).expect(200);
      expect(admin.body.items).toHaveLength(1);
    });

    it('the same key with a different body (or route) is 422', async () => {
      const key = randomUUID();
      const first = await create(keys.memberA, body, { 'idempotency-key': key }).expect(201);
      expectProblem(await create(keys.memberA, { ...body, name: 'other' }, { 'idempotency-key': key }), 422, 'HTTP.IDEMPOTENCY_KEY_REUSED');
      expectProblem(
        await http().post(`/api/v1/sandboxes/${first.body.id}/start`).set(bearer(keys.memberA)).set('idempotency-key', key),
        422,
        'HTTP.IDEMPOTENCY_KEY_REUSED',
      );
      expect(await events(keys.memberA, first.body.id)).toHaveLength(1);
    });

    it('concurrent duplicates never double-append', async () => {
      const key = randomUUID();
      const name = `race-${key.slice(0, 8)}`;
      const results = await Promise.all(Array.from({ length: 12 }, () => create(keys.memberA, { ...body, name }, { 'idempotency-key': key })));
      const created = results.filter((r) => r.status === 201);
      expect(created.length).toBeGreaterThanOrEqual(1);
      expect(new Set(created.map((r) => r.body.id)).size).toBe(1);
      for (const r of results) if (r.status !== 201) expectProblem(r, 409, 'HTTP.IDEMPOTENCY_KEY_IN_USE');
      for (const r of results) if (r.status === 409) expect(r.headers['retry-after']).toBe('1');
      const id = created[0].body.id;
      expect(await events(keys.memberA, id)).toHaveLength(1);
      const listed = await http().get('/api/v1/sandboxes?limit=100').set(bearer(keys.memberA)).expect(200);
      expect(listed.body.items.filter((s: { name: string }) => s.name === name)).toHaveLength(1);
      // After the dust settles a retry gets the stored response.
      expect((await create(keys.memberA, { ...body, name }, { 'idempotency-key': key }).expect(201)).body.id).toBe(id);
    });

    it('a retried transition returns its first response instead of 409, and appends once', async () => {
      const id = (await create(keys.memberA).expect(201)).body.id;
      const key = randomUUID();
      const first = await http().post(`/api/v1/sandboxes/${id}/start`).set(bearer(keys.memberA)).set('idempotency-key', key).expect(200);
      const again = await http().post(`/api/v1/sandboxes/${id}/start`).set(bearer(keys.memberA)).set('idempotency-key', key).expect(200);
      expect(again.body).toEqual(first.body);
      expect(again.headers.etag).toBe('"2"');
      expect(await events(keys.memberA, id)).toHaveLength(2);
    });

    it('a failed request releases its key: the fixed retry runs', async () => {
      const key = randomUUID();
      expectProblem(await create(keys.memberA, { ...body, runtime: 'cobol' }, { 'idempotency-key': key }), 400, 'HTTP.VALIDATION');
      await create(keys.memberA, body, { 'idempotency-key': key }).expect(201);
    });

    it('keys are scoped per namespace', async () => {
      const key = randomUUID();
      const a = await create(keys.memberA, body, { 'idempotency-key': key }).expect(201);
      const b = await create(keys.memberB, body, { 'idempotency-key': key }).expect(201);
      expect(b.body.id).not.toBe(a.body.id);
      expect(b.body.namespace).toBe('team-b');
    });

    it('rejects malformed keys', async () => {
      expectProblem(await create(keys.memberA, body, { 'idempotency-key': 'x'.repeat(256) }), 400, 'HTTP.INVALID_IDEMPOTENCY_KEY');
      expectProblem(await create(keys.memberA, body, { 'idempotency-key': 'has space' }), 400, 'HTTP.INVALID_IDEMPOTENCY_KEY');
    });
  });

  describe('validation: every failure class is a 4xx problem, never a 500', () => {
    const invalidBodies = INVALID_CREATE_BODIES;
    it.each(invalidBodies)('%s -> 400 with field errors', async (_, payload, field) => {
      const res = await http().post('/api/v1/sandboxes').set(bearer(keys.memberA)).set('content-type', 'application/json').send(JSON.stringify(payload));
      expectProblem(res, 400);
      if (field) expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
    });

    it('malformed JSON -> 400', async () => {
      const res = await http().post('/api/v1/sandboxes').set(bearer(keys.memberA)).set('content-type', 'application/json').send('{"name": ');
      expectProblem(res, 400);
    });

    it('deeply nested JSON -> 4xx, not a stack overflow', async () => {
      const deep = '['.repeat(7000) + ']'.repeat(7000);
      for (const payload of [`{"name":"x","runtime":"wasi","mode":"quick","x":${deep}}`, `{"name":"x","runtime":"wasi","mode":"quick","limits":{"memoryMb":${deep}}}`, `{"name":"x","runtime":"wasi","mode":"quick","labels":{"a":${deep}}}`]) {
        const res = await http().post('/api/v1/sandboxes').set(bearer(keys.memberA)).set('content-type', 'application/json').send(payload);
        expectProblem(res, 400);
      }
    });

    it('null body -> 400', async () => {
      expectProblem(await http().post('/api/v1/sandboxes').set(bearer(keys.memberA)).set('content-type', 'application/json').send('null'), 400);
    });

    it('prototype pollution attempt -> 400', async () => {
      const res = await http().post('/api/v1/sandboxes').set(bearer(keys.memberA)).set('content-type', 'application/json').send('{"name":"x","runtime":"wasi","mode":"quick","__proto__":{"admin":true}}');
      expectProblem(res, 400);
    });

    it('oversize body -> 413', async () => {
      const res = await create(keys.memberA, { ...body, labels: { a: 'v'.repeat(20_000) } });
      expectProblem(res, 413, 'HTTP.PAYLOAD_TOO_LARGE');
    });

    it.each(['text/plain', 'application/x-www-form-urlencoded', 'application/xml', 'multipart/form-data; boundary=x'])('%s body -> 415', async (type) => {
      const res = await http().post('/api/v1/sandboxes').set(bearer(keys.memberA)).set('content-type', type).send('name=x');
      expectProblem(res, 415, 'HTTP.UNSUPPORTED_MEDIA_TYPE');
    });

    it('a bodyless POST needs no content type; a JSON one with charset is fine', async () => {
      const id = (await create(keys.memberA).expect(201)).body.id;
      await http().post(`/api/v1/sandboxes/${id}/start`).set(bearer(keys.memberA)).expect(200);
      await http().post('/api/v1/sandboxes').set(bearer(keys.memberA)).set('content-type', 'application/json; charset=utf-8').send(JSON.stringify(body)).expect(201);
    });

    it.each(['not-a-uuid', '123', 'ffffffff-ffff-ffff-ffff-fffffffffffff', "'%20or%201=1--"])('malformed id %s -> 400 on every route', async (id) => {
      const key = bearer(keys.memberA);
      expectProblem(await http().get(`/api/v1/sandboxes/${id}`).set(key), 400);
      expectProblem(await http().get(`/api/v1/sandboxes/${id}/events`).set(key), 400);
      expectProblem(await http().post(`/api/v1/sandboxes/${id}/start`).set(key), 400);
      expectProblem(await http().post(`/api/v1/sandboxes/${id}/stop`).set(key), 400);
      expectProblem(await http().delete(`/api/v1/sandboxes/${id}`).set(key), 400);
    });

    it('events paging parameters are validated', async () => {
      const id = (await create(keys.memberA).expect(201)).body.id;
      for (const qs of ['after=-1', 'limit=0', 'limit=1001', 'after=x', 'after=2147483647']) {
        expectProblem(await http().get(`/api/v1/sandboxes/${id}/events?${qs}`).set(bearer(keys.memberA)), 400);
      }
    });

    it('an uppercase UUID addresses the same sandbox', async () => {
      const id = (await create(keys.memberA).expect(201)).body.id as string;
      expect((await http().get(`/api/v1/sandboxes/${id.toUpperCase()}`).set(bearer(keys.memberA)).expect(200)).body.id).toBe(id);
    });
  });

  describe('authentication', () => {
    it('every sandbox route needs a key', async () => {
      const id = randomUUID();
      expectProblem(await http().get('/api/v1/sandboxes'), 401);
      expectProblem(await http().post('/api/v1/sandboxes').send(body), 401);
      expectProblem(await http().get(`/api/v1/sandboxes/${id}`), 401);
      expectProblem(await http().post(`/api/v1/sandboxes/${id}/start`), 401);
      expectProblem(await http().get('/api/v1/admin/events'), 401);
      expectProblem(await http().get('/api/v1/sandboxes').set(bearer('cave_sk_' + 'y'.repeat(40))), 401);
    });

    it('a revoked key fails on its next sandbox request', async () => {
      const issued = (await http().post('/api/v1/auth/keys').set(bearer(keys.admin)).send({ namespace: 'team-a', name: 'short-lived', role: 'member' }).expect(201)).body;
      await create(issued.key).expect(201);
      await http().delete(`/api/v1/auth/keys/${issued.id}`).set(bearer(keys.admin)).expect(204);
      expectProblem(await create(issued.key), 401);
      expectProblem(await http().get('/api/v1/sandboxes').set(bearer(issued.key)), 401);
    });
  });

  describe('tenant isolation: namespace B attacks namespace A', () => {
    let victim: { id: string; etag: string };
    beforeAll(async () => {
      const res = await create(keys.memberA, { ...body, name: 'victim', labels: { secret: 'a-only' } }).expect(201);
      await http().post(`/api/v1/sandboxes/${res.body.id}/start`).set(bearer(keys.memberA)).expect(200);
      victim = { id: res.body.id, etag: '"2"' };
    });

    it('reads of a known id are 404', async () => {
      expectProblem(await http().get(`/api/v1/sandboxes/${victim.id}`).set(bearer(keys.memberB)), 404, 'SANDBOX.NOT_FOUND');
      expectProblem(await http().get(`/api/v1/sandboxes/${victim.id}/events`).set(bearer(keys.memberB)), 404, 'SANDBOX.NOT_FOUND');
      expectProblem(await http().get(`/api/v1/sandboxes/${victim.id}/events?after=1`).set(bearer(keys.memberB)), 404);
    });

    it('listing never shows A, in any state or page', async () => {
      for (const state of ['', 'created', 'running', 'stopped', 'deleted']) {
        const res = await http().get(`/api/v1/sandboxes?limit=100${state ? `&state=${state}` : ''}`).set(bearer(keys.memberB)).expect(200);
        expect(res.body.items.every((s: { namespace: string }) => s.namespace === 'team-b')).toBe(true);
        expect(res.body.items.map((s: { id: string }) => s.id)).not.toContain(victim.id);
      }
    });

    it('transitions are 404, with or without If-Match and Idempotency-Key, and change nothing', async () => {
      for (const headers of [{}, { 'if-match': victim.etag }, { 'if-match': '"1"' }, { 'idempotency-key': randomUUID() }]) {
        for (const action of ['start', 'stop']) {
          expectProblem(await http().post(`/api/v1/sandboxes/${victim.id}/${action}`).set(bearer(keys.memberB)).set(headers), 404, 'SANDBOX.NOT_FOUND');
        }
        expectProblem(await http().delete(`/api/v1/sandboxes/${victim.id}`).set(bearer(keys.memberB)).set(headers), 404, 'SANDBOX.NOT_FOUND');
      }
      const still = await http().get(`/api/v1/sandboxes/${victim.id}`).set(bearer(keys.memberA)).expect(200);
      expect(still.headers.etag).toBe(victim.etag);
      expect(still.body.state).toBe('running');
      expect(await events(keys.memberA, victim.id)).toHaveLength(2);
    });

    it('guessed ids are 404 exactly like real ones (no existence oracle)', async () => {
      for (const id of [randomUUID(), '00000000-0000-0000-0000-000000000000', victim.id.replace(/.$/, (c) => (c === '0' ? '1' : '0'))]) {
        const real = await http().get(`/api/v1/sandboxes/${victim.id}`).set(bearer(keys.memberB));
        const guess = await http().get(`/api/v1/sandboxes/${id}`).set(bearer(keys.memberB));
        expect(guess.status).toBe(404);
        expect({ ...guess.body, detail: '' }).toEqual({ ...real.body, detail: '' });
        expectProblem(await http().post(`/api/v1/sandboxes/${id}/start`).set(bearer(keys.memberB)), 404);
      }
    });

    it('the admin history is 403 for a member of B, whatever the filter', async () => {
      for (const qs of ['', `?namespace=team-a`, `?streamId=sandbox-${victim.id}`, '?type=sandbox_created']) {
        expectProblem(await http().get(`/api/v1/admin/events${qs}`).set(bearer(keys.memberB)), 403);
      }
    });

    it("B's own idempotency keys cannot replay A's responses", async () => {
      const key = randomUUID();
      const a = await create(keys.memberA, { ...body, name: 'a-private' }, { 'idempotency-key': key }).expect(201);
      const b = await create(keys.memberB, { ...body, name: 'a-private' }, { 'idempotency-key': key }).expect(201);
      expect(b.body.id).not.toBe(a.body.id);
      expect(b.body.namespace).toBe('team-b');
      expect(b.headers['idempotent-replayed']).toBeUndefined();
    });
  });

  describe('admin history', () => {
    it('pages the global log in commit-safe order with filters', async () => {
      const id = (await create(keys.memberA, { ...body, name: 'history' }).expect(201)).body.id;
      await http().post(`/api/v1/sandboxes/${id}/start`).set(bearer(keys.memberA)).expect(200);
      await create(keys.memberB, { ...body, name: 'history-b' }).expect(201);

      const all: { globalPosition: number; cursor: string; namespace: string }[] = [];
      let after: string | undefined;
      for (;;) {
        const res: request.Response = await http().get('/api/v1/admin/events').query({ limit: 7, ...(after ? { after } : {}) }).set(bearer(keys.admin)).expect(200);
        if (res.body.items.length === 0) {
          expect(res.body.nextCursor).toBe(after);
          break;
        }
        all.push(...res.body.items);
        after = res.body.nextCursor;
      }
      expect(new Set(all.map((e) => e.globalPosition)).size).toBe(all.length);
      expect(new Set(all.map((e) => e.namespace))).toEqual(expect.objectContaining({ size: expect.any(Number) }));
      expect(all.map((e) => e.namespace)).toEqual(expect.arrayContaining(['team-a', 'team-b']));
      const item = all.find((e) => (e as unknown as { streamId: string }).streamId === `sandbox-${id}`)!;
      expect(Object.keys(item).sort()).toEqual(
        ['globalPosition', 'eventId', 'namespace', 'streamType', 'streamId', 'streamVersion', 'type', 'schemaVersion', 'data', 'metadata', 'recordedAt', 'cursor'].sort(),
      );

      const stream = await http().get('/api/v1/admin/events').query({ streamId: `sandbox-${id}` }).set(bearer(keys.admin)).expect(200);
      expect(stream.body.items.map((e: { type: string }) => e.type)).toEqual(['sandbox_created', 'sandbox_started']);
      const byType = await http().get('/api/v1/admin/events').query({ type: 'sandbox_started', namespace: 'team-a' }).set(bearer(keys.admin)).expect(200);
      expect(byType.body.items.every((e: { type: string; namespace: string }) => e.type === 'sandbox_started' && e.namespace === 'team-a')).toBe(true);

      // A plain global position works as `after` too: continue behind that event.
      const first = stream.body.items[0];
      const behind = await http().get('/api/v1/admin/events').query({ after: String(first.globalPosition), streamId: `sandbox-${id}` }).set(bearer(keys.admin)).expect(200);
      expect(behind.body.items.map((e: { type: string }) => e.type)).toEqual(['sandbox_started']);
    });

    it.each(['after=abc', 'after=1:2:3', 'after=99999999999999999999:1', 'after=1:99999999999999999999', 'after=9999999999999999', 'limit=0', 'limit=1001', 'namespace=Bad%20NS', 'type=DROP%20TABLE', 'unknown=1'])('rejects ?%s with 400', async (qs) => {
      expectProblem(await http().get(`/api/v1/admin/events?${qs}`).set(bearer(keys.admin)), 400);
    });

    it('members of A get 403 too', async () => {
      expectProblem(await http().get('/api/v1/admin/events').set(bearer(keys.memberA)), 403);
    });
  });
});
