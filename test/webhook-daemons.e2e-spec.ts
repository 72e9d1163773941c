import type { ChildProcess } from 'node:child_process';
import getPort from 'get-port';
import request from 'supertest';
import { createTestDatabase, daemonEnv, exited, spawnDaemon, TestDatabase, waitFor, type DaemonProcess } from '@cave/testing';
import { WebhookReceiver } from './support/webhook-receiver';

const ADMIN = 'cave_sk_' + 'd'.repeat(40);
const SECRET = 'whsec_' + Buffer.from('daemon-rotation-secret-0123456789').toString('base64');
const bearer = (k: string) => ({ authorization: `Bearer ${k}` });

/** A real daemon process (as `npm start` runs it, from source) on a shared database. */
function startDaemon(db: TestDatabase, port: number, operatorUrl: string): DaemonProcess & { url: string } {
  const env = daemonEnv(
    { port, databaseUrl: db.ownerUrl, dataDir: '/tmp/cave-e2e-unused', auditLogPath: `/tmp/cave-e2e-audit/${db.name}-${port}.jsonl`, adminKey: ADMIN },
    {
      CAVE_ROTATION_WEBHOOK_SECRET: SECRET,
      CAVE_ROTATION_WEBHOOK_URL: operatorUrl,
      CAVE_WEBHOOK_ALLOW_PRIVATE: 'true',
      CAVE_WEBHOOK_TIMEOUT_MS: '1000',
      CAVE_WEBHOOK_BACKOFF_BASE_MS: '100',
      CAVE_WEBHOOK_BACKOFF_MAX_MS: '300',
      LOG_LEVEL: 'info',
    },
  );
  return { ...spawnDaemon(env), url: `http://127.0.0.1:${port}` };
}

const healthy = (url: string) => waitFor(async () => ((await request(url).get('/healthz').catch(() => undefined))?.status === 200 ? true : undefined), 90_000, `${url} healthy`);

describe('webhook delivery across daemon processes (e2e)', () => {
  let db: TestDatabase;
  const receiver = new WebhookReceiver();
  const procs: ChildProcess[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    await receiver.start();
  });

  afterAll(async () => {
    for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    await Promise.all(procs.map(exited));
    await receiver.stop();
    await db.drop();
  });

  it('delivers after a SIGKILL between append and delivery, once the daemon is back', async () => {
    const port = await getPort();
    const first = startDaemon(db, port, receiver.url);
    procs.push(first.proc);
    await healthy(first.url);
    const member = (await request(first.url).post('/api/v1/auth/keys').set(bearer(ADMIN)).send({ namespace: 'kill', name: 'k', role: 'member' }).expect(201)).body;
    receiver.replies = ['hang'];
    const rotated = (await request(first.url).post('/api/v1/auth/keys/rotate').set(bearer(member.key)).send({}).expect(200)).body;
    // The request is on the wire and unanswered: the attempt is in flight when the daemon dies.
    await waitFor(() => (receiver.received.length === 1 ? true : undefined), 10_000, 'first attempt in flight');
    first.proc.kill('SIGKILL');
    await exited(first.proc);
    const before = await db.db.admin.query(`select status, attempts from webhook_deliveries where webhook_id = $1`, [rotated.webhook.id]);
    expect(before.rows).toEqual([{ status: 'pending', attempts: 0 }]);

    const second = startDaemon(db, port, receiver.url);
    procs.push(second.proc);
    await healthy(second.url);
    const done = await waitFor(async () => {
      const { rows } = await db.db.admin.query(`select status, attempts from webhook_deliveries where webhook_id = $1`, [rotated.webhook.id]);
      return rows[0]?.status === 'succeeded' ? rows[0] : undefined;
    }, 30_000, 'delivered after restart');
    expect(done.attempts).toBe(1);
    expect(receiver.received.filter((r) => r.headers['webhook-id'] === rotated.webhook.id)).toHaveLength(2);
    second.proc.kill('SIGTERM');
    await exited(second.proc);
  }, 180_000);

  it('two daemons on one database: each webhook is delivered by exactly one of them', async () => {
    const [p1, p2] = [await getPort(), await getPort()];
    const a = startDaemon(db, p1, receiver.url);
    const b = startDaemon(db, p2, receiver.url);
    procs.push(a.proc, b.proc);
    await Promise.all([healthy(a.url), healthy(b.url)]);
    receiver.received.length = 0;
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) {
      const url = i % 2 === 0 ? a.url : b.url;
      const key = (await request(url).post('/api/v1/auth/keys').set(bearer(ADMIN)).send({ namespace: 'pair', name: `k${i}`, role: 'member' }).expect(201)).body;
      ids.push((await request(url).post('/api/v1/auth/keys/rotate').set(bearer(key.key)).send({}).expect(200)).body.webhook.id);
    }
    await waitFor(async () => {
      const { rows } = await db.db.admin.query(`select count(*)::int as n from webhook_deliveries where webhook_id = any($1) and status = 'succeeded'`, [ids]);
      return rows[0].n === ids.length ? true : undefined;
    }, 30_000, 'all delivered');
    const counts = ids.map((id) => receiver.received.filter((r) => r.headers['webhook-id'] === id).length);
    expect(counts).toEqual(ids.map(() => 1));
    const successes = await db.db.admin.query(
      `select count(*)::int as n from events where event_type = 'webhook_delivery_succeeded' and data->>'webhookId' = any($1)`,
      [ids],
    );
    expect(successes.rows[0].n).toBe(ids.length);
    a.proc.kill('SIGTERM');
    b.proc.kill('SIGTERM');
    await Promise.all([exited(a.proc), exited(b.proc)]);
  }, 180_000);
});
