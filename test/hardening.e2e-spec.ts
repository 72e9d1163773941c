import { get } from 'node:http';
import { connect } from 'node:net';
import { CommandBus } from '@nestjs/cqrs';
import request from 'supertest';
import { io } from 'socket.io-client';
import { RealtimeTestClient } from './support/realtime-client';
import { requestFingerprint } from '@cave/idempotency';
import { startTestApp, TestApp, withClient } from '@cave/testing';
import { createApp } from '../apps/cave-daemon/src/bootstrap/create-app';

const ADMIN = 'cave_sk_' + 'h'.repeat(40);
/** CAVE_REALTIME_MAX_CONNECTIONS_PER_ADDRESS of this suite's daemon (the default is 256). */
const SOCKET_CAP = 12;

/** Inputs an attacker's review found answered with a 500 or plain JSON (issue 10): each must be a clear 4xx problem. */
describe('hostile input at the HTTP edge (e2e)', () => {
  let t: TestApp;
  let member: string;
  let sandboxId: string;
  const bearer = (k: string) => ({ authorization: `Bearer ${k}` });
  const http = () => request(t.url);
  const expectProblem = (res: request.Response, status: number, code: string) => {
    expect({ status: res.status, type: res.headers['content-type'], code: res.body?.code }).toEqual({
      status,
      type: expect.stringMatching(/^application\/problem\+json/),
      code,
    });
  };
  /** Sends `text` as the body verbatim (escapes such as `\ud800` reach the server as written). */
  const raw = (method: 'post' | 'put', path: string, key: string, text: string, headers: Record<string, string> = {}) =>
    http()[method](path).set(bearer(key)).set('content-type', 'application/json').set(headers).send(text);

  beforeAll(async () => {
    t = await startTestApp(createApp, { CAVE_BOOTSTRAP_ADMIN_KEY: ADMIN, CAVE_REALTIME_MAX_CONNECTIONS_PER_ADDRESS: String(SOCKET_CAP) });
    member = (await http().post('/api/v1/auth/keys').set(bearer(ADMIN)).send({ namespace: 'team-h', name: 'h', role: 'member' }).expect(201)).body.key;
    sandboxId = (await http().post('/api/v1/sandboxes').set(bearer(member)).send({ name: 's', runtime: 'javascript', mode: 'quick' }).expect(201)).body.id;
  });
  afterAll(() => t.close());

  it.each(['\\ud800', '\\udc00', '\\udfff\\ud800', 'ok\\ud83d'])('a lone UTF-16 surrogate in a label value (%s) is 400, not a jsonb 500', async (s) => {
    expectProblem(await raw('post', '/api/v1/sandboxes', member, `{"name":"s","runtime":"javascript","mode":"quick","labels":{"x":"${s}"}}`), 400, 'HTTP.INVALID_TEXT');
  });

  it('a lone surrogate in a key name (admin) or an object key is 400', async () => {
    expectProblem(await raw('post', '/api/v1/auth/keys', ADMIN, '{"namespace":"team-h","name":"x\\ud800","role":"member"}'), 400, 'HTTP.INVALID_TEXT');
    expectProblem(await raw('post', '/api/v1/sandboxes', member, '{"name":"s","runtime":"javascript","mode":"quick","labels":{"\\udc00":"v"}}'), 400, 'HTTP.INVALID_TEXT');
  });

  it('a well-formed surrogate pair (an emoji) is still accepted', async () => {
    const res = await raw('post', '/api/v1/sandboxes', member, '{"name":"s","runtime":"javascript","mode":"quick","labels":{"x":"\\ud83d\\ude00"}}').expect(201);
    expect(res.body.labels).toEqual({ x: '😀' });
  });

  it('4,000-deep nesting with an Idempotency-Key, on a route without a body DTO, is 400 before anything walks it', async () => {
    const deep = '['.repeat(4000) + ']'.repeat(4000);
    expectProblem(await raw('post', `/api/v1/sandboxes/${sandboxId}/stop`, member, deep, { 'idempotency-key': 'deep-1' }), 400, 'HTTP.BODY_TOO_DEEP');
    expectProblem(await raw('post', '/api/v1/sandboxes', member, deep, { 'idempotency-key': 'deep-2' }), 400, 'HTTP.BODY_TOO_DEEP');
    const deepObject = '{"a":'.repeat(3000) + '1' + '}'.repeat(3000);
    expectProblem(await raw('post', `/api/v1/sandboxes/${sandboxId}/start`, member, deepObject, { 'idempotency-key': 'deep-3' }), 400, 'HTTP.BODY_TOO_DEEP');
  });

  it('"limits": null (and "labels": null) is a 400 validation problem, not a 500', async () => {
    expectProblem(await raw('post', '/api/v1/sandboxes', member, '{"name":"s","runtime":"javascript","mode":"quick","limits":null}'), 400, 'HTTP.VALIDATION');
    expectProblem(await raw('post', '/api/v1/sandboxes', member, '{"name":"s","runtime":"javascript","mode":"quick","labels":null}'), 400, 'HTTP.VALIDATION');
  });

  it.each(['-'.repeat(36), 'a'.repeat(36), '0123456789abcdef0123456789abcdef-a-b-', '../../../../../../../../../../../../..'])(
    'a malformed event id in the member proof route (%s) is 404, not a uuid-cast 500',
    async (id) => {
      expectProblem(await http().get(`/api/v1/audit/entries/${encodeURIComponent(id)}/proof`).set(bearer(member)), 404, 'AUDIT.ENTRY_NOT_FOUND');
    },
  );

  it('Node-level rejections answer problem+json: oversized headers (431), broken chunked framing on a GET (400)', async () => {
    /** Raw bytes on a socket: these requests never reach Fastify's router, only Node's HTTP parser. */
    const send = (head: string, body = '') =>
      new Promise<{ status: number; type: string; problem: { status?: number; code?: string } }>((resolve, reject) => {
        const u = new URL(t.url);
        const socket = connect(Number(u.port), u.hostname, () => socket.write(head + body));
        let text = '';
        socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
        socket.on('error', reject);
        socket.on('close', () => {
          const [headers, payload] = text.split('\r\n\r\n');
          resolve({
            status: Number(headers.split(' ')[1]),
            type: /content-type: ([^\r]+)/i.exec(headers)?.[1] ?? '',
            problem: JSON.parse(payload || '{}') as { status?: number; code?: string },
          });
        });
      });
    const big = await send(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Filler: ${'f'.repeat(40_000)}\r\n\r\n`);
    expect(big).toEqual({ status: 431, type: expect.stringMatching(/^application\/problem\+json/), problem: expect.objectContaining({ status: 431, code: 'HTTP.HEADERS_TOO_LARGE' }) });
    const chunked = await send('GET /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n', 'zz\r\n{"a":1}\r\n0\r\n\r\n');
    expect(chunked).toEqual({ status: 400, type: expect.stringMatching(/^application\/problem\+json/), problem: expect.objectContaining({ status: 400, code: 'HTTP.MALFORMED_REQUEST' }) });
  });

  it('a write race without If-Match is 409 for the losers, never a 500', async () => {
    const id = (await http().post('/api/v1/sandboxes').set(bearer(member)).send({ name: 'race', runtime: 'javascript', mode: 'quick' }).expect(201)).body.id;
    const results = await Promise.all(Array.from({ length: 12 }, () => http().post(`/api/v1/sandboxes/${id}/start`).set(bearer(member))));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    for (const r of results.filter((x) => x.status !== 200)) {
      expect(r.status).toBe(409);
      expect(['EVENT_STORE.CONCURRENCY', 'SANDBOX.INVALID_TRANSITION']).toContain(r.body.code);
    }
  });

  describe('Idempotency-Key', () => {
    const body = { name: 'idem', runtime: 'javascript', mode: 'quick' };
    const create = (key: string, payload: object = body) => http().post('/api/v1/sandboxes').set(bearer(member)).set('idempotency-key', key).send(payload);

    it('a replay returns the first response without running the command again', async () => {
      const bus = t.app.get(CommandBus);
      const spy = jest.spyOn(bus, 'execute');
      try {
        const first = await create('replay-count').expect(201);
        const again = await create('replay-count').expect(201);
        expect(again.headers['idempotent-replayed']).toBe('true');
        expect(again.body).toEqual(first.body);
        expect(spy).toHaveBeenCalledTimes(1);
      } finally {
        spy.mockRestore();
      }
    });

    it('reused after its HTTP record expired, with a different body: 422 naming the sandbox the key made', async () => {
      const first = await create('expired-key').expect(201);
      // The 24 h retention has passed: the HTTP record is gone, the sandbox id is still derived from the key.
      await withClient(t.database.ownerUrl, (c) => c.query("update idempotency_keys set expires_at = now() - interval '1 second' where idempotency_key = 'expired-key'"));
      const other = await create('expired-key', { ...body, name: 'another', labels: { v: '2' } });
      expectProblem(other, 422, 'SANDBOX.IDEMPOTENCY_KEY_REUSED');
      expect(other.body).toMatchObject({ sandboxId: first.body.id, detail: expect.stringContaining(first.body.id) });
      // The same body again is still the same creation: the old sandbox, not a second one.
      await withClient(t.database.ownerUrl, (c) => c.query("delete from idempotency_keys where idempotency_key = 'expired-key'"));
      const same = await create('expired-key');
      expect([200, 201]).toContain(same.status);
      expect(same.body.id).toBe(first.body.id);
    });

    it("a duplicate while the first holds the key says to come back when the first's lease ends, not in 1 s", async () => {
      const fingerprint = requestFingerprint('POST', '/api/v1/sandboxes', body);
      // A first request that claimed the key and then crashed: its lease (30 s) still runs.
      await withClient(t.database.ownerUrl, (c) =>
        c.query(
          `insert into idempotency_keys (namespace, idempotency_key, fingerprint, state, created_at, locked_until, expires_at)
           values ('team-h', 'crashed-owner', $1, 'in_progress', now() - interval '5 seconds', now() + interval '25 seconds', now() + interval '1 day')`,
          [fingerprint],
        ),
      );
      const res = await create('crashed-owner');
      expectProblem(res, 409, 'HTTP.IDEMPOTENCY_KEY_IN_USE');
      expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(24);
      expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(25);
    });
  });

  it('anonymous and member callers get a coarse /healthz and only process metrics; details need an admin key', async () => {
    for (const auth of [{}, bearer(member), { authorization: 'Bearer cave_sk_' + 'n'.repeat(40) }]) {
      const health = await http().get('/healthz').set(auth).expect(200);
      expect(health.body).toEqual({ status: expect.stringMatching(/^(ok|degraded)$/) });
      const metrics = (await http().get('/metrics').set(auth).expect(200)).text;
      expect(metrics).toContain('process_cpu_user_seconds_total');
      expect(metrics).not.toMatch(/^cave_/m);
      expect(metrics).not.toContain('team-h');
    }
    const health = await http().get('/healthz').set(bearer(ADMIN)).expect(200);
    expect(health.body.checks).toMatchObject({ database: { status: 'up' }, projections: { items: expect.any(Array) } });
    expect((await http().get('/metrics').set(bearer(ADMIN)).expect(200)).text).toMatch(/^cave_events_appended_total/m);
  });

  describe('realtime', () => {
    it('refuses the default namespace "/" (nothing authenticates there)', async () => {
      const socket = io(t.url, { transports: ['websocket'], reconnection: false, forceNew: true });
      try {
        const error = await new Promise<{ data?: { code?: string } }>((resolve, reject) => {
          socket.once('connect', () => reject(new Error('"/" accepted an anonymous socket')));
          socket.once('connect_error', resolve);
        });
        expect(error.data).toEqual({ code: 'NOT_FOUND' });
      } finally {
        socket.close();
      }
    });

    it('member-chosen channel names never become metric labels, and a series at zero is removed', async () => {
      const c = await RealtimeTestClient.connect(t.url, member);
      try {
        for (let i = 0; i < 40; i++) {
          const channel = `type:probe${i}x${Math.random().toString(36).slice(2)}`;
          expect(await c.subscribe({ channel })).toMatchObject({ ok: true });
          expect(await c.unsubscribe({ channel })).toMatchObject({ ok: true });
        }
        await c.subscribe({ channel: 'type:held' });
        const live = (await http().get('/metrics').set(bearer(ADMIN)).expect(200)).text;
        expect(live).not.toMatch(/probe\d+x/);
        expect(live).toMatch(/cave_realtime_channel_subscribers\{namespace="team-h",channel="type:\*"\} 1/);
        await c.unsubscribe({ channel: 'type:held' });
        const after = (await http().get('/metrics').set(bearer(ADMIN)).expect(200)).text;
        expect(after).not.toMatch(/cave_realtime_channel_subscribers\{namespace="team-h"/);
      } finally {
        c.close();
      }
    });

    // Last: the polling sessions it opens stay until their ping timeout.
    it('caps Engine.IO connections per address at CAVE_REALTIME_MAX_CONNECTIONS_PER_ADDRESS; other addresses are unaffected', async () => {
      // Each loopback address (127.0.0.0/8) is its own remote address to the server, so this test starts from zero open.
      const handshake = (from: string) =>
        new Promise<number>((resolve, reject) => {
          const u = new URL(t.url);
          get({ host: u.hostname, port: u.port, path: '/socket.io/?EIO=4&transport=polling', localAddress: from }, (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          }).on('error', reject);
        });
      const statuses: number[] = [];
      for (let i = 0; i < SOCKET_CAP + 3; i++) statuses.push(await handshake('127.0.0.2'));
      expect(statuses).toEqual([...Array<number>(SOCKET_CAP).fill(200), 403, 403, 403]);
      expect(await handshake('127.0.0.3')).toBe(200);
    }, 30_000);

  });
});
