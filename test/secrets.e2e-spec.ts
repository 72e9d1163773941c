import { Writable } from 'node:stream';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { loadConfig } from '@cave/config';
import { createTestDatabase, TestDatabase, waitFor } from '@cave/testing';
import { createApp } from '../apps/cave-daemon/src/bootstrap/create-app';

const ADMIN = 'cave_sk_' + 's'.repeat(40);
const HMAC_KEY = 'hmac-secret-' + 'h'.repeat(24);
const PREVIOUS_HMAC_KEY = 'old-hmac-secret-' + 'o'.repeat(20);

/**
 * Secrets (API keys, the audit HMAC keys, database passwords) must never leave the process in a
 * log line, a response, an event, the OpenAPI document or a metric. The app logs at debug level
 * into a captured stream so the real Fastify + pino-http request logger is what is checked.
 */
describe('secrets never leak (e2e)', () => {
  let database: TestDatabase;
  let app: NestFastifyApplication;
  let url: string;
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  let memberKey: string;
  const bearer = (k: string) => ({ authorization: `Bearer ${k}` });

  beforeAll(async () => {
    database = await createTestDatabase();
    const config = loadConfig({
      LOG_LEVEL: 'debug',
      CAVE_DATA_DIR: '/tmp/cave-e2e-unused',
      CAVE_AUDIT_LOG_PATH: `/tmp/cave-e2e-audit/${database.name}.jsonl`,
      CAVE_BOOTSTRAP_ADMIN_KEY: ADMIN,
      CAVE_AUDIT_LOG_HMAC_KEY: HMAC_KEY,
      CAVE_AUDIT_LOG_HMAC_PREVIOUS_KEYS: PREVIOUS_HMAC_KEY,
      DATABASE_URL: database.ownerUrl,
    });
    app = await createApp(config, database, { logDestination: sink });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.getHttpServer().address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

    const issued = await request(url).post('/api/v1/auth/keys').set(bearer(ADMIN)).send({ namespace: 'team-s', name: 'leak-probe', role: 'member' }).expect(201);
    memberKey = issued.body.key as string;
    const sb = await request(url).post('/api/v1/sandboxes').set(bearer(memberKey)).set('x-request-id', 'secret-probe').send({ name: 's', runtime: 'wasi', mode: 'quick' }).expect(201);
    await request(url).post(`/api/v1/sandboxes/${sb.body.id}/start`).set(bearer(memberKey)).expect(200);
    // Failing requests log too: a wrong key, a forbidden call, a bad body.
    await request(url).get('/api/v1/sandboxes').set(bearer(memberKey + 'x')).expect(401);
    await request(url).get('/api/v1/admin/events').set(bearer(memberKey)).expect(403);
    await request(url).post('/api/v1/sandboxes').set(bearer(memberKey)).send({ nope: true }).expect(400);
    await request(url).get('/api/v1/sandboxes').set({ authorization: `Bearer ${memberKey}`, cookie: `session=${memberKey}` }).expect(200);
    // The audit writer signs entries with the HMAC key asynchronously; let it catch up.
    await waitFor(async () => ((await request(url).get('/api/v1/admin/audit/entries?limit=10').set(bearer(ADMIN))).body.entries?.length >= 3 ? true : undefined), 10_000, 'audit entries');
  });

  afterAll(async () => {
    await app.close();
    await database.drop();
  });

  const secrets = () => {
    const passwords = [database.appUrl, database.adminUrl, database.ownerUrl].map((u) => decodeURIComponent(new URL(u).password));
    return { ADMIN, memberKey, HMAC_KEY, PREVIOUS_HMAC_KEY, ...Object.fromEntries(passwords.map((p, i) => [`dbPassword${i}`, p])) };
  };
  const leaksIn = (text: string) => Object.entries(secrets()).filter(([, v]) => text.includes(v)).map(([k]) => k);

  it('captured the request logger (the probe is real)', () => {
    const requestLines = lines.map((l) => JSON.parse(l) as { req?: { headers?: Record<string, string> } }).filter((l) => l.req?.headers);
    expect(requestLines.length).toBeGreaterThan(5);
    // The header is logged, and redacted, rather than absent.
    expect(requestLines.some((l) => l.req?.headers?.authorization === '[redacted]')).toBe(true);
    expect(requestLines.some((l) => l.req?.headers?.cookie === '[redacted]')).toBe(true);
    // Nest's own loggers (bootstrap, domain contexts) go through the same pino instance.
    expect(lines.some((l) => l.includes('"context"'))).toBe(true);
  });

  it('keeps every secret out of the logs', () => {
    expect(leaksIn(lines.join('\n'))).toEqual([]);
    // Not even the visible part of a secret-bearing header beyond the redaction marker.
    expect(lines.join('\n')).not.toMatch(/Bearer cave_sk_/);
  });

  it('keeps every secret out of /metrics, /healthz and the OpenAPI document', async () => {
    for (const path of ['/metrics', '/healthz', '/docs-json']) {
      for (const auth of [{}, bearer(ADMIN)]) {
        const res = await request(url).get(path).set(auth);
        expect({ path, leaks: leaksIn(res.text) }).toEqual({ path, leaks: [] });
      }
    }
  });

  it('keeps every secret out of events, audit entries and error responses', async () => {
    const events = await request(url).get('/api/v1/admin/events?limit=1000').set(bearer(ADMIN)).expect(200);
    expect(events.body.items.length).toBeGreaterThan(2);
    expect(leaksIn(events.text)).toEqual([]);
    const audit = await request(url).get('/api/v1/admin/audit/entries?limit=1000').set(bearer(ADMIN)).expect(200);
    expect(leaksIn(audit.text)).toEqual([]);
    const verify = await request(url).post('/api/v1/admin/audit/verify').set(bearer(ADMIN)).send({});
    expect(leaksIn(verify.text)).toEqual([]);
    const keys = await request(url).get('/api/v1/auth/keys').set(bearer(ADMIN)).expect(200);
    expect(leaksIn(keys.text)).toEqual([]);
    expect(keys.text).not.toMatch(/sha256|hash/i);
    const wrong = await request(url).get('/api/v1/sandboxes').set(bearer(memberKey + 'x')).expect(401);
    expect(leaksIn(wrong.text)).toEqual([]);
  });
});
