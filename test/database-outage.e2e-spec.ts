import { createServer, Server, Socket } from 'node:net';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { loadConfig } from '@cave/config';
import { createTestDatabase, TestDatabase, waitFor } from '@cave/testing';
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
    expect(health.body).toMatchObject({ status: 'error', checks: { database: { status: 'down' } } });
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
