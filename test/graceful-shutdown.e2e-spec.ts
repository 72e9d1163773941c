import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { loadConfig } from '@cave/config';
import { createTestDatabase, TestDatabase, waitFor } from '@cave/testing';
import { createApp } from '../apps/cave-daemon/src/bootstrap/create-app';

const ADMIN = 'cave_sk_' + 'g'.repeat(40);

/** app.close() (what SIGTERM runs) lets requests already received finish against a live database. */
describe('graceful shutdown with requests in flight (e2e)', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.drop());

  it('completes every request received before close, commits their events, and closes', async () => {
    const config = loadConfig({
      LOG_LEVEL: 'silent',
      CAVE_DATA_DIR: '/tmp/cave-e2e-unused',
      CAVE_AUDIT_LOG_PATH: `/tmp/cave-e2e-audit/${database.name}.jsonl`,
      CAVE_BOOTSTRAP_ADMIN_KEY: ADMIN,
      DATABASE_URL: database.ownerUrl,
    });
    const app: NestFastifyApplication = await createApp(config, database, { silent: true });
    let arrived = 0;
    app.getHttpAdapter().getInstance().addHook('onRequest', async () => {
      arrived++;
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.getHttpServer().address();
    const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    const key = (await request(url).post('/api/v1/auth/keys').set({ authorization: `Bearer ${ADMIN}` }).send({ namespace: 'team-g', name: 'g', role: 'member' }).expect(201)).body.key as string;

    const before = arrived;
    const n = 20;
    const inFlight = Array.from({ length: n }, (_, i) =>
      request(url).post('/api/v1/sandboxes').set({ authorization: `Bearer ${key}` }).send({ name: `g-${i}`, runtime: 'wasi', mode: 'quick' }).then(
        (r) => ({ status: r.status, id: r.body.id as string | undefined }),
        (e: Error) => ({ status: 0, id: e.message }),
      ),
    );
    await waitFor(() => (arrived - before === n ? true : undefined), 10_000, 'all requests received');
    const closed = app.close();
    const results = await Promise.all(inFlight);
    await closed;

    expect(results.map((r) => r.status)).toEqual(Array(n).fill(201));
    const { rows } = await database.db.admin.query<{ n: string }>(
      `select count(*) as n from events where namespace = 'team-g' and event_type = 'sandbox_created' and stream_id = any($1)`,
      [results.map((r) => `sandbox-${r.id}`)],
    );
    expect(Number(rows[0].n)).toBe(n);
  });
});
