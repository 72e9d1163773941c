import { Writable } from 'node:stream';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { loadConfig } from '@cave/config';
import { createTestDatabase, TestDatabase } from '@cave/testing';
import { createApp } from '../apps/cave-daemon/src/bootstrap/create-app';

const ADMIN = 'cave_sk_' + 'r'.repeat(40);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * One request id per request, chosen by the one correlation-id rule (`correlationIdFrom`): the request's log line
 * and the events its command appends carry the same id, so a log line can always be joined to its events.
 */
describe('request id: log line and event metadata agree (e2e)', () => {
  let database: TestDatabase;
  let app: NestFastifyApplication;
  let url: string;
  const lines: { req?: { id?: string; url?: string; headers?: Record<string, string> }; res?: unknown }[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(l));
      done();
    },
  });
  const bearer = { authorization: `Bearer ${ADMIN}` };

  beforeAll(async () => {
    database = await createTestDatabase();
    const config = loadConfig({
      CAVE_DATA_DIR: '/tmp/cave-e2e-unused',
      CAVE_AUDIT_LOG_PATH: `/tmp/cave-e2e-audit/${database.name}.jsonl`,
      CAVE_BOOTSTRAP_ADMIN_KEY: ADMIN,
      DATABASE_URL: database.ownerUrl,
    });
    app = await createApp(config, database, { logDestination: sink });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.getHttpServer().address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(async () => {
    await app.close();
    await database.drop();
  });

  it.each([
    ['absent', undefined, 'fresh'],
    ['sane, with . and :', 'trace.1:a-b', 'kept'],
    ['with a space', 'has space', 'fresh'],
    ['too long', 'x'.repeat(129), 'fresh'],
    ['non-ASCII', 'ünïcode', 'fresh'],
  ] as const)('X-Request-Id %s', async (_, header, expected) => {
    const req = request(url).post('/api/v1/auth/keys').set(bearer);
    if (header !== undefined) req.set('x-request-id', header);
    const issued = await req.send({ namespace: 'rid', name: `k-${lines.length}`, role: 'member' }).expect(201);
    const events = await request(url).get(`/api/v1/admin/events?streamId=api_key-${issued.body.id}`).set(bearer).expect(200);
    const correlationId = events.body.items[0].metadata.correlationId as string;
    if (expected === 'kept') expect(correlationId).toBe(header);
    else expect(correlationId).toMatch(UUID);
    const logged = lines.filter((l) => l.res && l.req?.url === '/api/v1/auth/keys').map((l) => l.req?.id);
    expect(logged.at(-1)).toBe(correlationId);
  });
});
