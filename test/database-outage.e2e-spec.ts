import { createServer, Server, Socket } from 'node:net';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { loadConfig } from '@cave/config';
import { createTestDatabase, PausableProxy, TestDatabase, waitFor } from '@cave/testing';
import { createApp } from '../apps/cave-daemon/src/bootstrap/create-app';

const ADMIN = 'cave_sk_' + 'd'.repeat(40);

/** A TCP relay to the test server that the test can cut (every connection reset, new ones refused) and restore. */
class Relay {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  async open(): Promise<void> {
    const server = createServer((client) => {
      const upstream = new Socket();
      upstream.connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('error', () => undefined);
        s.on('close', () => this.sockets.delete(s));
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    const address = server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
    this.server = server;
  }

  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }
}

const via = (url: string, port: number) => {
  const u = new URL(url);
  u.port = String(port);
  return u.toString();
};

/** The database goes away under a running daemon and comes back: 503s, no crash, recovery. */
describe('database outage (e2e)', () => {
  let database: TestDatabase;
  let relay: Relay;
  let app: NestFastifyApplication;
  let url: string;
  let memberKey: string;
  const bearer = (k: string) => ({ authorization: `Bearer ${k}` });

  beforeAll(async () => {
    database = await createTestDatabase();
    const real = new URL(database.ownerUrl);
    relay = new Relay({ host: real.hostname, port: Number(real.port) });
    await relay.open();
    const config = loadConfig({
      LOG_LEVEL: 'silent',
      CAVE_DATA_DIR: '/tmp/cave-e2e-unused',
      CAVE_AUDIT_LOG_PATH: `/tmp/cave-e2e-audit/${database.name}.jsonl`,
      CAVE_BOOTSTRAP_ADMIN_KEY: ADMIN,
      DATABASE_URL: via(database.ownerUrl, relay.port),
    });
    app = await createApp(config, { appUrl: via(database.appUrl, relay.port), adminUrl: via(database.adminUrl, relay.port) }, { silent: true });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.getHttpServer().address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    memberKey = (await request(url).post('/api/v1/auth/keys').set(bearer(ADMIN)).send({ namespace: 'team-o', name: 'outage', role: 'member' }).expect(201)).body.key as string;
    await request(url).post('/api/v1/sandboxes').set(bearer(memberKey)).send({ name: 'before', runtime: 'wasi', mode: 'quick' }).expect(201);
  });

  afterAll(async () => {
    await relay.cut();
    await app.close();
    await database.drop();
  });

  it('answers /healthz 503 and API calls 503 problem+json while the database is unreachable, then recovers', async () => {
    await relay.cut();

    const health = await request(url).get('/healthz');
    expect(health.status).toBe(503);
    expect(health.body).toEqual({ status: 'error' });
    // The public probe says the database is down, not where it lives.
    expect(health.text).not.toContain(String(relay.port));

    for (const call of [
      () => request(url).get('/api/v1/sandboxes').set(bearer(memberKey)),
      () => request(url).post('/api/v1/sandboxes').set(bearer(memberKey)).send({ name: 'during', runtime: 'wasi', mode: 'quick' }),
      () => request(url).get('/api/v1/admin/events').set(bearer(ADMIN)),
    ]) {
      const res = await call();
      expect(res.status).toBe(503);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({ status: 503, code: 'HTTP.DATABASE_UNAVAILABLE' });
    }

    await relay.open();
    await waitFor(async () => ((await request(url).get('/healthz')).status === 200 ? true : undefined), 15_000, '/healthz back to 200');
    await request(url).post('/api/v1/sandboxes').set(bearer(memberKey)).send({ name: 'after', runtime: 'wasi', mode: 'quick' }).expect(201);
  });
});

/** The database stops answering (a SIGSTOPped postmaster: connections open, no bytes): nothing may hang. */
describe('stalled database (e2e)', () => {
  let database: TestDatabase;
  let proxy: PausableProxy;
  let app: NestFastifyApplication;
  let url: string;
  let memberKey: string;
  const bearer = (k: string) => ({ authorization: `Bearer ${k}` });
  const timed = async <T>(call: () => Promise<T>): Promise<{ ms: number; value: T }> => {
    const started = performance.now();
    const value = await call();
    return { ms: performance.now() - started, value };
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    const real = new URL(database.ownerUrl);
    proxy = await PausableProxy.start({ host: real.hostname, port: Number(real.port) });
    const config = loadConfig({
      LOG_LEVEL: 'silent',
      CAVE_DATA_DIR: '/tmp/cave-e2e-unused',
      CAVE_AUDIT_LOG_PATH: `/tmp/cave-e2e-audit/${database.name}.jsonl`,
      CAVE_BOOTSTRAP_ADMIN_KEY: ADMIN,
      CAVE_DB_CONNECT_TIMEOUT_MS: '1000',
      CAVE_DB_STATEMENT_TIMEOUT_MS: '1500',
      CAVE_DB_QUERY_TIMEOUT_MS: '2000',
      DATABASE_URL: proxy.url(database.ownerUrl),
    });
    app = await createApp(config, { appUrl: proxy.url(database.appUrl), adminUrl: proxy.url(database.adminUrl) }, { silent: true });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.getHttpServer().address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    memberKey = (await request(url).post('/api/v1/auth/keys').set(bearer(ADMIN)).send({ namespace: 'team-s', name: 'stall', role: 'member' }).expect(201)).body.key as string;
  });

  afterAll(async () => {
    proxy.resume();
    await app.close();
    await proxy.close();
    await database.drop();
  });

  it('/healthz is 503 within 2 s, /metrics answers at once, and writes fail with 503 instead of hanging; all recover', async () => {
    // Warm: the admin key is cached or not, the point is that nothing below waits for the database.
    await request(url).get('/metrics').set(bearer(ADMIN)).expect(200);
    proxy.pause();
    const [health, adminHealth, metrics, writes] = await Promise.all([
      timed(() => request(url).get('/healthz')),
      timed(() => request(url).get('/healthz').set(bearer(ADMIN))),
      timed(() => request(url).get('/metrics').set(bearer(ADMIN))),
      timed(() =>
        Promise.all(
          Array.from({ length: 6 }, (_, i) =>
            request(url).post('/api/v1/sandboxes').set(bearer(memberKey)).send({ name: `stalled-${i}`, runtime: 'wasi', mode: 'quick' }),
          ),
        ),
      ),
    ]);
    expect({ status: health.value.status, body: health.value.body }).toEqual({ status: 503, body: { status: 'error' } });
    expect(health.ms).toBeLessThan(2_500);
    expect(adminHealth.value.status).toBe(503);
    expect(adminHealth.ms).toBeLessThan(2_500);
    expect(metrics.value.status).toBe(200);
    expect(metrics.ms).toBeLessThan(1_000);
    // Bounded by the query timeout (2 s) plus a connect timeout, not by the client's patience.
    expect(writes.ms).toBeLessThan(8_000);
    for (const res of writes.value) expect([res.status, res.body.code]).toEqual([503, 'HTTP.DATABASE_UNAVAILABLE']);

    proxy.resume();
    await waitFor(async () => ((await request(url).get('/healthz')).status === 200 ? true : undefined), 15_000, '/healthz back to 200');
    await request(url).post('/api/v1/sandboxes').set(bearer(memberKey)).send({ name: 'after', runtime: 'wasi', mode: 'quick' }).expect(201);
  }, 60_000);
});
