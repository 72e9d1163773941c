import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import request from 'supertest';
import { loadConfig } from '@cave/config';
import { createTestDatabase, TestDatabase } from '@cave/testing';
import { createApp } from '../apps/cave-daemon/src/bootstrap/create-app';
import { mcpClient, ok } from './support/mcp-client';

jest.setTimeout(60_000);

const ADMIN = 'cave_sk_' + 'n'.repeat(40);

async function daemon(database: TestDatabase): Promise<{ app: NestFastifyApplication; url: string }> {
  const config = loadConfig({ LOG_LEVEL: 'silent', CAVE_DATA_DIR: '/tmp/cave-e2e-unused', CAVE_BOOTSTRAP_ADMIN_KEY: ADMIN, CAVE_SANDBOX_WORKERS: '1', DATABASE_URL: database.ownerUrl, CAVE_AUDIT_LOG_PATH: `/tmp/cave-e2e-audit/${database.name}-${Math.random()}.jsonl` });
  const app = await createApp(config, database, { silent: true });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address();
  return { app, url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}` };
}

/** Stateless MCP behind a load balancer: consecutive requests of one client land on different daemons. */
describe('/mcp across two daemons on one database (e2e)', () => {
  let database: TestDatabase;
  let daemons: { app: NestFastifyApplication; url: string }[];

  beforeAll(async () => {
    database = await createTestDatabase();
    daemons = [await daemon(database), await daemon(database)];
  });
  afterAll(async () => {
    for (const d of daemons ?? []) await d.app.close();
    await database?.drop();
  });

  it('a client whose requests alternate between the daemons initializes, creates, starts and reads', async () => {
    const key = (await request(daemons[0].url).post('/api/v1/auth/keys').set('authorization', `Bearer ${ADMIN}`).send({ namespace: 'lb', name: 'lb', role: 'member' }).expect(201))
      .body.key as string;
    // A round-robin "load balancer": each HTTP request goes to the next daemon.
    const served: string[] = [];
    let next = 0;
    const roundRobin: FetchLike = (url, init) => {
      const target = daemons[next++ % daemons.length].url;
      served.push(target);
      const u = new URL(String(url));
      return fetch(`${target}${u.pathname}${u.search}`, init);
    };
    const client = await mcpClient(daemons[0].url, key, roundRobin);
    try {
      const { sandbox } = ok<{ sandbox: { id: string } }>(await client.callTool({ name: 'sandbox_create', arguments: { name: 'lb-box', runtime: 'javascript', mode: 'quick' } }));
      ok(await client.callTool({ name: 'sandbox_start', arguments: { id: sandbox.id } }));
      expect(ok<{ sandbox: { state: string } }>(await client.callTool({ name: 'sandbox_get', arguments: { id: sandbox.id } })).sandbox.state).toBe('running');
      const events = JSON.parse(((await client.readResource({ uri: `cave://sandboxes/${sandbox.id}/events` })).contents[0] as { text: string }).text);
      expect(events.items.map((e: { type: string }) => e.type)).toEqual(['sandbox_created', 'sandbox_started']);
      expect((await client.listTools()).tools.length).toBeGreaterThan(0);
    } finally {
      await client.close();
    }
    // Both daemons answered this client's requests (initialize on one, tools/call on the other, ...).
    expect(new Set(served).size).toBe(2);
    expect(served.length).toBeGreaterThanOrEqual(6);
  });
});
