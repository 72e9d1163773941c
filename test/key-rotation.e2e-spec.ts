import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import Stripe from 'stripe';
import { Webhook } from 'standardwebhooks';
import request from 'supertest';
import { CaveConfig, loadConfig } from '@cave/config';
import { createTestDatabase, TestDatabase, waitFor } from '@cave/testing';
import { createApp } from '../apps/cave-daemon/src/bootstrap/create-app';
import { RealtimeTestClient } from './support/realtime-client';
import { WebhookReceiver } from './support/webhook-receiver';

const ADMIN = 'cave_sk_' + 'r'.repeat(40);
// A whsec_ secret: the Stripe header uses it byte for byte, Standard Webhooks its base64-decoded part.
const SECRET = 'whsec_' + Buffer.from('rotation-secret-bytes-0123456789').toString('base64');
const PREVIOUS_SECRET = 'previous-rotation-secret-' + 'p'.repeat(16);
const bearer = (k: string) => ({ authorization: `Bearer ${k}` });
const stripe = new Stripe('sk_test_unused');

interface Running {
  app: NestFastifyApplication;
  url: string;
}

async function listen(config: CaveConfig, db: TestDatabase, logs: string[]): Promise<Running> {
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(chunk.toString('utf8'));
      done();
    },
  });
  const app = await createApp(config, db, { logDestination: sink });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address();
  return { app, url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}` };
}

/** A signature made by hand, exactly as a peer daemon would (or an attacker would try). */
function sign(secret: string, t: number, body: string): string {
  return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
}

jest.setTimeout(30_000);

describe('key rotation with signed webhooks (e2e)', () => {
  let db: TestDatabase;
  let server: Running;
  const logs: string[] = [];
  const operator = new WebhookReceiver();
  let config: CaveConfig;
  const api = () => request(server.url);
  const issued: string[] = [];

  const issue = async (namespace: string, role: 'member' | 'admin' = 'member') => {
    const res = await api().post('/api/v1/auth/keys').set(bearer(ADMIN)).send({ namespace, name: `k-${namespace}`, role }).expect(201);
    issued.push(res.body.key);
    return res.body as { id: string; key: string };
  };
  const deliveriesOf = async (webhookId: string, key = ADMIN) =>
    (await api().get(`/api/v1/webhooks/deliveries?webhookId=${webhookId}`).set(bearer(key)).expect(200)).body.items as {
      id: string;
      status: string;
      target: string;
      attempts: number;
      lastError: string | null;
      history: { outcome: string; statusCode: number | null; latencyMs: number; error: string | null }[];
    }[];

  beforeAll(async () => {
    await operator.start();
    db = await createTestDatabase();
    config = loadConfig({
      LOG_LEVEL: 'debug',
      CAVE_DATA_DIR: '/tmp/cave-e2e-unused',
      CAVE_AUDIT_LOG_PATH: `/tmp/cave-e2e-audit/${db.name}.jsonl`,
      CAVE_BOOTSTRAP_ADMIN_KEY: ADMIN,
      CAVE_ROTATION_WEBHOOK_SECRET: SECRET,
      CAVE_ROTATION_WEBHOOK_PREVIOUS_SECRET: PREVIOUS_SECRET,
      CAVE_ROTATION_WEBHOOK_URL: operator.url,
      CAVE_WEBHOOK_ALLOW_PRIVATE: 'true',
      CAVE_WEBHOOK_TIMEOUT_MS: '1500',
      CAVE_WEBHOOK_BACKOFF_BASE_MS: '200',
      CAVE_WEBHOOK_BACKOFF_MAX_MS: '400',
      CAVE_WEBHOOK_MAX_ATTEMPTS: '6',
      CAVE_AUTH_FAILURE_LIMIT: '5',
      CAVE_AUTH_FAILURE_WINDOW_SECONDS: '60',
      DATABASE_URL: db.ownerUrl,
    });
    server = await listen(config, db, logs);
  });

  afterAll(async () => {
    await server.app.close();
    await operator.stop();
    await db.drop();
  });

  it('rotates the calling key: new key works, old key is refused on the very next request, webhook verifies with stripe and standardwebhooks', async () => {
    const old = await issue('acme');
    const socket = await RealtimeTestClient.connect(server.url, old.key);
    const res = await api().post('/api/v1/auth/keys/rotate').set(bearer(old.key)).send({}).expect(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const outcome = res.body;
    issued.push(outcome.newKey.key);
    expect(outcome).toEqual({
      newKey: { id: expect.stringMatching(/^[0-9a-f-]{36}$/), key: expect.stringMatching(/^cave_sk_/), prefix: outcome.newKey.key.slice(0, 12) },
      revokedKeyId: old.id,
      revokedAt: expect.any(String),
      webhook: { id: expect.any(String), payload: expect.any(String), signature: expect.stringMatching(/^t=\d+,v1=[0-9a-f]{64},v1=[0-9a-f]{64}$/) },
    });
    await api().get('/api/v1/auth/keys').set(bearer(old.key)).expect(401);
    await api().get('/api/v1/auth/keys').set(bearer(outcome.newKey.key)).expect(200);
    // The signature in the outcome is Stripe-verifiable over the outcome's payload.
    expect(stripe.webhooks.constructEvent(outcome.webhook.payload, outcome.webhook.signature, SECRET).id).toBe(outcome.webhook.id);
    // The socket authenticated by the old key is disconnected.
    await waitFor(() => (socket.revoked ? true : undefined), 5000, 'socket revoked');

    const got = await waitFor(() => operator.received.find((r) => r.headers['webhook-id'] === outcome.webhook.id), 10_000, 'operator webhook');
    expect(got.raw.toString('utf8')).toBe(outcome.webhook.payload);
    const header = got.headers['x-cave-webhook-signature'] as string;
    const event = stripe.webhooks.constructEvent(got.raw, header, SECRET);
    expect(event).toMatchObject({ id: outcome.webhook.id, type: 'key_rotated', data: { keyId: old.id, newKeyId: outcome.newKey.id } });
    // The previous secret still verifies (one v1= per active secret), a foreign one does not.
    expect(stripe.webhooks.constructEvent(got.raw, header, PREVIOUS_SECRET).id).toBe(outcome.webhook.id);
    expect(() => stripe.webhooks.constructEvent(got.raw, header, 'whsec_bm90LXRoZS1zZWNyZXQ=')).toThrow();
    const std = new Webhook(SECRET);
    expect(() => std.verify(got.raw.toString('utf8'), got.headers as Record<string, string>)).not.toThrow();
    expect(() => new Webhook('whsec_' + Buffer.from('some-other-key-material-12345678').toString('base64')).verify(got.raw.toString('utf8'), got.headers as Record<string, string>)).toThrow();

    const [delivery] = await waitFor(async () => {
      const d = await deliveriesOf(outcome.webhook.id);
      return d[0]?.status === 'succeeded' ? d : undefined;
    }, 5000, 'success recorded');
    expect(delivery).toMatchObject({ status: 'succeeded', target: 'operator', attempts: 1 });
    expect(delivery.history[0]).toMatchObject({ outcome: 'succeeded', statusCode: 200, latencyMs: expect.any(Number) });
    const types = (await db.db.admin.query(`select event_type from events where stream_id = $1 order by stream_version`, [`api_key-${old.id}`])).rows.map((r) => r.event_type);
    expect(types).toEqual(['key_issued', 'key_rotated', 'key_revoked']);
  });

  it('keeps the old key valid through the grace window, then refuses it and records key_revoked', async () => {
    const old = await issue('grace');
    const socket = await RealtimeTestClient.connect(server.url, old.key);
    const res = await api().post('/api/v1/auth/keys/rotate').set(bearer(ADMIN)).send({ keyId: old.id, graceSeconds: 2 }).expect(200);
    issued.push(res.body.newKey.key);
    expect(new Date(res.body.revokedAt).getTime() - Date.now()).toBeGreaterThan(1000);
    await api().get('/api/v1/auth/keys').set(bearer(old.key)).expect(200);
    expect(socket.revoked).toBe(false);
    await waitFor(async () => ((await api().get('/api/v1/auth/keys').set(bearer(old.key))).status === 401 ? true : undefined), 5000, 'old key refused');
    expect(Date.now()).toBeGreaterThanOrEqual(new Date(res.body.revokedAt).getTime());
    await waitFor(() => (socket.revoked ? true : undefined), 5000, 'socket revoked after grace');
    const revoked = (await db.db.admin.query(`select data from events where stream_id = $1 and event_type = 'key_revoked'`, [`api_key-${old.id}`])).rows;
    expect(revoked).toEqual([{ data: { keyId: old.id, revokedAt: res.body.revokedAt, reason: 'rotation' } }]);
  });

  it('members rotate only their own key; admins any; revoked or already rotated keys are 409', async () => {
    const a = await issue('team-a');
    const a2 = await issue('team-a');
    const b = await issue('team-b');
    const forbidden = await api().post('/api/v1/auth/keys/rotate').set(bearer(a.key)).send({ keyId: a2.id }).expect(403);
    expect(forbidden.body.code).toBe('KEYS.FORBIDDEN');
    const hidden = await api().post('/api/v1/auth/keys/rotate').set(bearer(a.key)).send({ keyId: b.id }).expect(404);
    expect(hidden.body.code).toBe('KEYS.NOT_FOUND');
    await api().post('/api/v1/auth/keys/rotate').set(bearer(a.key)).send({ graceSeconds: 86_401 }).expect(400);
    await api().post('/api/v1/auth/keys/rotate').set(bearer(a.key)).send({ graceSeconds: 1.5 }).expect(400);
    await api().post('/api/v1/auth/keys/rotate').set(bearer(a.key)).send({ keyId: 'nope' }).expect(400);
    const first = await api().post('/api/v1/auth/keys/rotate').set(bearer(ADMIN)).send({ keyId: a2.id, graceSeconds: 60 }).expect(200);
    issued.push(first.body.newKey.key);
    const again = await api().post('/api/v1/auth/keys/rotate').set(bearer(ADMIN)).send({ keyId: a2.id }).expect(409);
    expect(again.body.code).toBe('KEYS.NOT_ROTATABLE');
    await api().delete(`/api/v1/auth/keys/${b.id}`).set(bearer(ADMIN)).expect(204);
    expect((await api().post('/api/v1/auth/keys/rotate').set(bearer(ADMIN)).send({ keyId: b.id }).expect(409)).body.code).toBe('KEYS.NOT_ROTATABLE');
  });

  describe('receiver POST /api/v1/auth/keys/rotated', () => {
    const post = (body: string, signature?: string) => {
      const r = api().post('/api/v1/auth/keys/rotated').set('content-type', 'application/json');
      return (signature === undefined ? r : r.set('x-cave-webhook-signature', signature)).send(body);
    };
    const payload = (keyId: string, id: string, revokedAt = new Date().toISOString()) =>
      JSON.stringify({ id, type: 'key_rotated', createdAt: revokedAt, namespace: 'peer', data: { keyId, newKeyId: '00000000-0000-4000-8000-00000000abcd', revokedAt } });
    const now = () => Math.floor(Date.now() / 1000);

    it('accepts a genuine webhook once, applies it to the local key, and refuses every forgery with a distinct code', async () => {
      const local = await issue('peer');
      const body = payload(local.id, 'wh-genuine-1');
      const ok = await post(body, sign(SECRET, now(), body)).expect(200);
      expect(ok.body).toEqual({ webhookId: 'wh-genuine-1', keyId: local.id, applied: true, revokedAt: expect.any(String) });
      await api().get('/api/v1/auth/keys').set(bearer(local.key)).expect(401);
      // A rotation applied from a peer is not sent on (no echo between daemons).
      const peerRotated = (await db.db.admin.query(`select data from events where stream_id = $1 and event_type = 'key_rotated'`, [`api_key-${local.id}`])).rows[0].data;
      expect(peerRotated.origin).toBe('peer');

      const replay = await post(body, sign(SECRET, now(), body)).expect(401);
      expect(replay.body.code).toBe('WEBHOOKS.REPLAYED');
      const tampered = await post(body.replace('wh-genuine-1', 'wh-genuine-2'), sign(SECRET, now(), body)).expect(401);
      expect(tampered.body.code).toBe('WEBHOOKS.SIGNATURE_INVALID');
      const body3 = payload(local.id, 'wh-3');
      expect((await post(body3, sign('whsec_d3Jvbmctc2VjcmV0LXdyb25nLXNlY3JldA==', now(), body3)).expect(401)).body.code).toBe('WEBHOOKS.SIGNATURE_INVALID');
      expect((await post(body3, sign(SECRET, now() - 301, body3)).expect(401)).body.code).toBe('WEBHOOKS.TIMESTAMP_STALE');
      expect((await post(body3, sign(SECRET, now() + 301, body3)).expect(401)).body.code).toBe('WEBHOOKS.TIMESTAMP_FUTURE');
      expect((await post(body3).expect(400)).body.code).toBe('WEBHOOKS.SIGNATURE_MISSING');
      expect((await post(body3, 'v1=abc').expect(400)).body.code).toBe('WEBHOOKS.SIGNATURE_MALFORMED');
      const res = await post(body3, sign(SECRET, now() - 301, body3));
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      // The previous secret is still accepted during secret rotation.
      const body4 = payload('00000000-0000-4000-8000-000000000404', 'wh-4');
      expect((await post(body4, sign(PREVIOUS_SECRET, now(), body4)).expect(200)).body).toMatchObject({ applied: false });
      // Verified but not a rotation webhook.
      const junk = JSON.stringify({ id: 'wh-5', type: 'something_else' });
      expect((await post(junk, sign(SECRET, now(), junk)).expect(400)).body.code).toBe('WEBHOOKS.PAYLOAD_INVALID');
      // Whitespace matters: the raw bytes are verified, not a re-serialisation.
      const spaced = body3.replace('{', '{ ');
      expect((await post(spaced, sign(SECRET, now(), body3)).expect(401)).body.code).toBe('WEBHOOKS.SIGNATURE_INVALID');
      expect((await post(spaced, sign(SECRET, now(), spaced)).expect(200)).body.applied).toBe(false);
    });
  });

  describe('delivery to registered endpoints', () => {
    it('retries a receiver that is down, then up: delivered once, every attempt in the history', async () => {
      const flaky = await new WebhookReceiver().start();
      const owner = await issue('deliver');
      const ep = await api().post('/api/v1/webhooks/endpoints').set(bearer(owner.key)).send({ url: flaky.url, eventTypes: ['key_rotated'] }).expect(201);
      expect(ep.body.secret).toMatch(/^whsec_/);
      expect((await api().get(`/api/v1/webhooks/endpoints/${ep.body.id}`).set(bearer(owner.key)).expect(200)).body.secret).toBeUndefined();
      await flaky.stop();
      flaky.replies = [{ status: 503 }, { status: 500 }];
      const rotated = (await api().post('/api/v1/auth/keys/rotate').set(bearer(owner.key)).send({ graceSeconds: 300 }).expect(200)).body;
      issued.push(rotated.newKey.key);
      await waitFor(async () => ((await deliveriesOf(rotated.webhook.id, owner.key))[0]?.attempts >= 1 ? true : undefined), 10_000, 'first failed attempt');
      await flaky.start(flaky.port);
      const [done] = await waitFor(async () => {
        const d = await deliveriesOf(rotated.webhook.id, owner.key);
        return d[0]?.status === 'succeeded' ? d : undefined;
      }, 20_000, 'delivered');
      expect(done.history.filter((h) => h.outcome === 'succeeded')).toHaveLength(1);
      expect(done.history.at(-1)).toMatchObject({ outcome: 'succeeded', statusCode: 200 });
      expect(done.history[0]).toMatchObject({ outcome: 'failed', statusCode: null, error: expect.stringMatching(/connection error/) });
      expect(done.history.map((h) => h.statusCode).filter((s) => s !== null)).toEqual(expect.arrayContaining([503, 500, 200]));
      expect(flaky.received.filter((r) => r.headers['webhook-id'] === rotated.webhook.id)).toHaveLength(3);
      // Same id and body on every attempt; each attempt is an event.
      expect(new Set(flaky.received.map((r) => r.raw.toString()))).toEqual(new Set([rotated.webhook.payload]));
      const events = (await db.db.admin.query(`select event_type from events where stream_id = $1 order by stream_version`, [`webhook_delivery-${done.id}`])).rows;
      expect(events.map((e) => e.event_type)).toEqual([...done.history.slice(0, -1).map(() => 'webhook_delivery_failed'), 'webhook_delivery_succeeded']);
      const signed = flaky.received.at(-1)!;
      expect(stripe.webhooks.constructEvent(signed.raw, signed.headers['x-cave-webhook-signature'] as string, ep.body.secret).id).toBe(rotated.webhook.id);
      await flaky.stop();
    });

    it('does not retry a 4xx, dead-letters it, and a manual retry delivers it; 429 honours Retry-After', async () => {
      const picky = await new WebhookReceiver().start();
      picky.replies = [{ status: 410 }, { status: 429, headers: { 'retry-after': '1' } }];
      const owner = await issue('picky');
      await api().post('/api/v1/webhooks/endpoints').set(bearer(owner.key)).send({ url: picky.url, eventTypes: ['key_rotated'], secret: 'a-plain-secret-not-whsec' }).expect(201);
      const rotated = (await api().post('/api/v1/auth/keys/rotate').set(bearer(owner.key)).send({ graceSeconds: 300 }).expect(200)).body;
      issued.push(rotated.newKey.key);
      const [dead] = await waitFor(async () => {
        const d = await deliveriesOf(rotated.webhook.id, owner.key);
        return d[0]?.status === 'dead' ? d : undefined;
      }, 10_000, 'dead-lettered');
      expect(dead.history).toEqual([expect.objectContaining({ outcome: 'failed', statusCode: 410 })]);
      // A non-whsec secret gets the Stripe header only.
      expect(picky.received[0].headers['x-cave-webhook-signature']).toBeDefined();
      expect(picky.received[0].headers['webhook-signature']).toBeUndefined();
      const other = await issue('someone-else');
      expect((await api().post(`/api/v1/webhooks/deliveries/${dead.id}/retry`).set(bearer(other.key)).expect(404)).body.code).toBe('WEBHOOKS.DELIVERY_NOT_FOUND');
      await api().post(`/api/v1/webhooks/deliveries/${dead.id}/retry`).set(bearer(owner.key)).expect(200);
      const [done] = await waitFor(async () => {
        const d = await deliveriesOf(rotated.webhook.id, owner.key);
        return d[0]?.status === 'succeeded' ? d : undefined;
      }, 10_000, 'delivered after manual retry');
      expect(done.history.map((h) => h.statusCode)).toEqual([410, 429, 200]);
      const gaps = picky.received.map((r) => r.at);
      expect(gaps[2] - gaps[1]).toBeGreaterThanOrEqual(950);
      expect((await api().post(`/api/v1/webhooks/deliveries/${dead.id}/retry`).set(bearer(owner.key)).expect(409)).body.code).toBe('WEBHOOKS.DELIVERY_NOT_DEAD');
      await picky.stop();
    });

    it('a hanging endpoint does not delay a healthy one', async () => {
      const stuck = await new WebhookReceiver().start();
      stuck.fallback = 'hang';
      const healthy = await new WebhookReceiver().start();
      const owner = await issue('mixed');
      await api().post('/api/v1/webhooks/endpoints').set(bearer(owner.key)).send({ url: stuck.url, eventTypes: ['key_rotated'] }).expect(201);
      await api().post('/api/v1/webhooks/endpoints').set(bearer(owner.key)).send({ url: healthy.url, eventTypes: ['key_rotated', 'key_revoked'] }).expect(201);
      const started = Date.now();
      const rotated = (await api().post('/api/v1/auth/keys/rotate').set(bearer(owner.key)).send({}).expect(200)).body;
      issued.push(rotated.newKey.key);
      await waitFor(() => healthy.received.find((r) => r.headers['webhook-id'] === rotated.webhook.id), 5000, 'healthy delivery');
      const healthyAt = Date.now() - started;
      await waitFor(() => (stuck.received.length > 0 ? true : undefined), 5000, 'stuck endpoint reached');
      // The healthy endpoint got it well before the stuck one's 1.5 s timeout could have ended.
      expect(healthyAt).toBeLessThan(1400);
      // The healthy one is recorded as delivered while the stuck one is still in flight.
      await waitFor(async () => {
        const states = await deliveriesOf(rotated.webhook.id, rotated.newKey.key);
        return states.map((d) => d.status).sort().join() === 'pending,succeeded' ? true : undefined;
      }, 1000, 'healthy recorded while the stuck one is pending');
      // key_revoked (grace 0) went to the endpoint subscribed to it.
      await waitFor(() => healthy.received.find((r) => JSON.parse(r.raw.toString()).type === 'key_revoked'), 5000, 'key_revoked webhook');
      await stuck.stop();
      await healthy.stop();
    });

    it('isolates tenants: namespace B gets 404 for A’s endpoints and deliveries and lists none of them', async () => {
      const target = await new WebhookReceiver().start();
      const a = await issue('iso-a');
      const b = await issue('iso-b');
      const ep = (await api().post('/api/v1/webhooks/endpoints').set(bearer(a.key)).send({ url: target.url, eventTypes: ['key_rotated'] }).expect(201)).body;
      const rotated = (await api().post('/api/v1/auth/keys/rotate').set(bearer(a.key)).send({ graceSeconds: 60 }).expect(200)).body;
      issued.push(rotated.newKey.key);
      const [delivery] = await waitFor(async () => {
        const d = await deliveriesOf(rotated.webhook.id, a.key);
        return d.length > 0 ? d : undefined;
      }, 5000, 'delivery queued');
      expect((await api().get(`/api/v1/webhooks/endpoints/${ep.id}`).set(bearer(b.key)).expect(404)).body.code).toBe('WEBHOOKS.ENDPOINT_NOT_FOUND');
      await api().delete(`/api/v1/webhooks/endpoints/${ep.id}`).set(bearer(b.key)).expect(404);
      await api().get(`/api/v1/webhooks/deliveries/${delivery.id}`).set(bearer(b.key)).expect(404);
      await api().post(`/api/v1/webhooks/deliveries/${delivery.id}/retry`).set(bearer(b.key)).expect(404);
      expect((await api().get('/api/v1/webhooks/endpoints').set(bearer(b.key)).expect(200)).body.items).toEqual([]);
      expect((await api().get('/api/v1/webhooks/deliveries').set(bearer(b.key)).expect(200)).body.items).toEqual([]);
      // The operator's deliveries (namespace system) are not A's either.
      expect((await deliveriesOf(rotated.webhook.id, a.key)).map((d) => d.target)).toEqual(['endpoint']);
      expect((await deliveriesOf(rotated.webhook.id)).map((d) => d.target).sort()).toEqual(['endpoint', 'operator']);
      await api().get(`/api/v1/webhooks/endpoints/${ep.id}`).set(bearer(a.key)).expect(200);
      await api().delete(`/api/v1/webhooks/endpoints/${ep.id}`).set(bearer(a.key)).expect(204);
      await api().get(`/api/v1/webhooks/endpoints/${ep.id}`).set(bearer(a.key)).expect(404);
      await target.stop();
    });

    it('validates registrations: bad URLs, credentials in the URL, unknown event types, weak secrets', async () => {
      const k = await issue('validate');
      const reg = (body: Record<string, unknown>) => api().post('/api/v1/webhooks/endpoints').set(bearer(k.key)).send(body);
      expect((await reg({ url: 'ftp://example.com/x', eventTypes: ['key_rotated'] }).expect(400)).body.code).toBe('WEBHOOKS.INVALID_ENDPOINT');
      expect((await reg({ url: 'https://user:pw@example.com/x', eventTypes: ['key_rotated'] }).expect(400)).body.code).toBe('WEBHOOKS.INVALID_ENDPOINT');
      expect((await reg({ url: 'https://example.com/x', eventTypes: ['sandbox_created'] }).expect(400)).body.code).toBe('WEBHOOKS.INVALID_ENDPOINT');
      await reg({ url: 'https://example.com/x', eventTypes: [] }).expect(400);
      await reg({ url: 'https://example.com/x', eventTypes: ['key_rotated'], secret: 'short' }).expect(400);
      await reg({ url: 'https://example.com/x', eventTypes: ['key_rotated'], extra: 1 }).expect(400);
    });
  });

  it('throttles repeated authentication failures per address without locking out other addresses', async () => {
    const good = await issue('throttle');
    const from = (ip: string) => ({ 'x-forwarded-for': ip });
    for (let i = 0; i < 5; i++) await api().get('/api/v1/auth/keys').set(from('198.51.100.7')).set(bearer(good.key + 'x')).expect(401);
    const limited = await api().get('/api/v1/auth/keys').set(from('198.51.100.7')).set(bearer(good.key + 'x')).expect(429);
    expect(limited.body.code).toBe('KEYS.TOO_MANY_FAILURES');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    await api().get('/api/v1/auth/keys').set(from('198.51.100.8')).set(bearer(good.key)).expect(200);
  });

  it('refuses an old key after a restart once its grace window ends (expires_at lives in the database)', async () => {
    const old = await issue('restart');
    const rotated = (await api().post('/api/v1/auth/keys/rotate').set(bearer(old.key)).send({ graceSeconds: 3 }).expect(200)).body;
    issued.push(rotated.newKey.key);
    await server.app.close();
    server = await listen(config, db, logs);
    await waitFor(async () => ((await api().get('/api/v1/auth/keys').set(bearer(old.key))).status === 401 ? true : undefined), 8000, 'old key refused after restart');
    expect(Date.now()).toBeGreaterThanOrEqual(new Date(rotated.revokedAt).getTime());
    await api().get('/api/v1/auth/keys').set(bearer(rotated.newKey.key)).expect(200);
    await waitFor(async () => ((await db.db.admin.query(`select 1 from events where stream_id = $1 and event_type = 'key_revoked'`, [`api_key-${old.id}`])).rowCount ? true : undefined), 5000, 'key_revoked after restart');
  });

  it('never lets a webhook secret or an issued key appear in logs, events, audit entries, errors or the OpenAPI document', async () => {
    const endpointSecret = 'whsec_' + Buffer.from('endpoint-secret-for-the-leak-probe').toString('base64');
    const k = await issue('leak');
    const r = await new WebhookReceiver().start();
    await api().post('/api/v1/webhooks/endpoints').set(bearer(k.key)).send({ url: r.url, eventTypes: ['key_rotated'], secret: endpointSecret }).expect(201);
    const rotated = (await api().post('/api/v1/auth/keys/rotate').set(bearer(k.key)).send({}).expect(200)).body;
    issued.push(rotated.newKey.key);
    await waitFor(() => (r.received.length > 0 ? true : undefined), 5000, 'probe delivery');
    await waitFor(async () => {
      const { rows } = await db.db.admin.query(`select (select max(global_position) from events) as head, (select max(global_position) from audit_log) as audited`);
      return rows[0].head === rows[0].audited ? true : undefined;
    }, 10_000, 'audit caught up');
    const secrets = { SECRET, PREVIOUS_SECRET, endpointSecret, ...Object.fromEntries(issued.map((key, i) => [`key${i}`, key])) };
    const leaks = (text: string) => Object.entries(secrets).filter(([, v]) => text.includes(v)).map(([n]) => n);
    const events = (await db.db.admin.query(`select data::text || metadata::text as t from events`)).rows.map((x) => x.t).join('\n');
    const audit = (await db.db.admin.query(`select entry from audit_log`)).rows.map((x) => x.entry).join('\n');
    const deliveries = (await db.db.admin.query(`select payload || coalesce(last_error, '') as t from webhook_deliveries`)).rows.map((x) => x.t).join('\n');
    const errors = JSON.stringify((await api().post('/api/v1/webhooks/endpoints').set(bearer(rotated.newKey.key)).send({ url: 'x', eventTypes: ['key_rotated'], secret: endpointSecret }).expect(400)).body);
    const openapi = readFileSync(join(__dirname, '..', 'openapi', 'openapi.yaml'), 'utf8');
    expect(logs.join('').length).toBeGreaterThan(1000);
    expect({ logs: leaks(logs.join('')), events: leaks(events), audit: leaks(audit), deliveries: leaks(deliveries), errors: leaks(errors), openapi: leaks(openapi) }).toEqual({
      logs: [],
      events: [],
      audit: [],
      deliveries: [],
      errors: [],
      openapi: [],
    });
    // The probe is real: the secret was used (the endpoint verifies it).
    expect(stripe.webhooks.constructEvent(r.received[0].raw, r.received[0].headers['x-cave-webhook-signature'] as string, endpointSecret).type).toBe('key_rotated');
    await r.stop();
  });
});

describe('SSRF guard without CAVE_WEBHOOK_ALLOW_PRIVATE (e2e)', () => {
  let db: TestDatabase;
  let server: Running;
  const operator = new WebhookReceiver();
  const logs: string[] = [];

  beforeAll(async () => {
    await operator.start();
    db = await createTestDatabase();
    const config = loadConfig({
      LOG_LEVEL: 'silent',
      CAVE_DATA_DIR: '/tmp/cave-e2e-unused',
      CAVE_AUDIT_LOG_PATH: `/tmp/cave-e2e-audit/${db.name}.jsonl`,
      CAVE_BOOTSTRAP_ADMIN_KEY: ADMIN,
      CAVE_ROTATION_WEBHOOK_SECRET: SECRET,
      CAVE_ROTATION_WEBHOOK_URL: operator.url,
      DATABASE_URL: db.ownerUrl,
    });
    server = await listen(config, db, logs);
  });

  afterAll(async () => {
    await server.app.close();
    await operator.stop();
    await db.drop();
  });

  it.each([['http://127.0.0.1:9/x'], ['http://localhost:9/x'], ['http://[::1]:9/x'], ['http://169.254.169.254/latest/meta-data'], ['http://10.1.2.3/x'], ['http://[::ffff:127.0.0.1]/x']])(
    'refuses to register %s',
    async (url) => {
      const res = await request(server.url).post('/api/v1/webhooks/endpoints').set(bearer(ADMIN)).send({ url, eventTypes: ['key_rotated'] }).expect(400);
      expect(res.body.code).toBe('WEBHOOKS.PRIVATE_ADDRESS');
    },
  );

  it('refuses again at delivery: the loopback operator URL is dead-lettered and never contacted', async () => {
    const k = (await request(server.url).post('/api/v1/auth/keys').set(bearer(ADMIN)).send({ namespace: 'ssrf', name: 'k', role: 'member' }).expect(201)).body;
    const rotated = (await request(server.url).post('/api/v1/auth/keys/rotate').set(bearer(k.key)).send({}).expect(200)).body;
    const [d] = await waitFor(async () => {
      const items = (await request(server.url).get(`/api/v1/webhooks/deliveries?webhookId=${rotated.webhook.id}`).set(bearer(ADMIN)).expect(200)).body.items;
      return items[0]?.status === 'dead' ? items : undefined;
    }, 10_000, 'refused delivery');
    expect(d.lastError).toMatch(/private, loopback or link-local/);
    expect(d.attempts).toBe(1);
    expect(operator.received).toHaveLength(0);
  });
});
