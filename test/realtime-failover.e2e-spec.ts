import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '@cave/config';
import { Database, DatabaseUrls, EventStore, roleUrl } from '@cave/event-store';
import { RealtimeService } from '@cave/realtime';
import { createTestDatabase, TestDatabase, waitFor } from '@cave/testing';
import { createApp } from '../apps/cave-daemon/src/bootstrap/create-app';
import { OwnServer, startOwnServer } from './support/embedded-pg';
import { RealtimeTestClient } from './support/realtime-client';
import { leaderOf, readAllOf, writer } from './support/realtime-scenarios';

jest.setTimeout(120_000);

const ADMIN = 'cave_sk_' + 'f'.repeat(40);

/** One daemon instance (the real app, real keys) on the given database, listening on a free port. */
async function daemon(ownerUrl: string, urls: DatabaseUrls): Promise<{ app: NestFastifyApplication; url: string }> {
  const config = loadConfig({ LOG_LEVEL: 'silent', CAVE_DATA_DIR: '/tmp/cave-e2e-unused', CAVE_BOOTSTRAP_ADMIN_KEY: ADMIN, DATABASE_URL: ownerUrl });
  const app = await createApp(config, urls, { silent: true });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address();
  return { app, url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}` };
}

describe('/realtime failover with real API keys', () => {
  const clients: RealtimeTestClient[] = [];
  afterEach(() => clients.splice(0).forEach((c) => c.close()));
  const connect = async (url: string) => {
    const c = await RealtimeTestClient.connect(url, ADMIN);
    clients.push(c);
    return c;
  };

  describe('several daemons on one database', () => {
    let database: TestDatabase;
    let store: EventStore;
    beforeAll(async () => {
      database = await createTestDatabase();
      store = new EventStore(database.db);
    });
    afterAll(() => database.drop());

    it('two instances: one leads, clients on both get every event, the follower takes over', async () => {
      const a = await daemon(database.ownerUrl, database);
      const b = await daemon(database.ownerUrl, database);
      const closed = new Set<unknown>();
      try {
        const leader = await leaderOf([a.app, b.app]);
        const follower = leader === a.app ? b : a;
        expect((await follower.app.get(RealtimeService).check()).role).toBe('follower');
        const onLeader = await connect(leader === a.app ? a.url : b.url);
        const onFollower = await connect(follower.url);
        for (const c of [onLeader, onFollower]) expect(await c.subscribe({ channel: 'namespace:two', fromPosition: 0 })).toMatchObject({ ok: true });
        const w = writer(store, 'two', 'two-1');
        await onFollower.waitForCount('namespace:two', 10);
        await onLeader.waitForCount('namespace:two', 10);
        await leader.close();
        closed.add(leader);
        await leaderOf([follower.app]);
        const before = onFollower.on('namespace:two').length;
        await onFollower.waitForCount('namespace:two', before + 10);
        await w.stop();
        const expected = (await readAllOf(store, 'two')).map((e) => e.eventId);
        await onFollower.waitForCount('namespace:two', expected.length);
        expect(onFollower.on('namespace:two').map((e) => e.eventId)).toEqual(expected);
        const early = onLeader.on('namespace:two').map((e) => e.eventId);
        expect(early).toEqual(expected.slice(0, early.length));
      } finally {
        for (const x of [a.app, b.app]) if (!closed.has(x)) await x.close();
      }
    });

    it('daemon restart mid-stream: the slot survives, a client resuming by cursor misses nothing', async () => {
      const first = await daemon(database.ownerUrl, database);
      const slot = first.app.get(RealtimeService).slot;
      await leaderOf([first.app]);
      const c1 = await connect(first.url);
      expect(await c1.subscribe({ channel: 'namespace:restart', fromPosition: 0 })).toMatchObject({ ok: true });
      const w = writer(store, 'restart', 'restart-1');
      await c1.waitForCount('namespace:restart', 10);
      await first.app.close();
      const seen = c1.on('namespace:restart');
      const { rows } = await database.db.admin.query('select active from pg_replication_slots where slot_name = $1', [slot]);
      expect(rows).toEqual([{ active: false }]);
      const second = await daemon(database.ownerUrl, database);
      try {
        await leaderOf([second.app]);
        const c2 = await connect(second.url);
        expect(await c2.subscribe({ channel: 'namespace:restart', cursor: seen[seen.length - 1].cursor })).toMatchObject({ ok: true });
        await c2.waitForCount('namespace:restart', 10);
        await w.stop();
        const expected = (await readAllOf(store, 'restart')).map((e) => e.eventId);
        await c2.waitForCount('namespace:restart', expected.length - seen.length);
        expect([...seen, ...c2.on('namespace:restart')].map((e) => e.eventId)).toEqual(expected);
      } finally {
        await second.app.close();
      }
    });
  });

  describe('PostgreSQL restart (own server)', () => {
    let dir: string;
    let pg: OwnServer;
    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'cave-e2e-pgr-'));
      chmodSync(dir, 0o755);
      pg = await startOwnServer(dir);
    });
    afterAll(async () => {
      await pg.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    it('the stream reconnects and a subscribed client misses nothing', async () => {
      const urls = { appUrl: roleUrl(pg.url, 'cave_app'), adminUrl: roleUrl(pg.url, 'cave_admin'), replicationUrl: roleUrl(pg.url, 'cave_replicator') };
      const db = new Database(urls, 4);
      const store = new EventStore(db);
      const { app, url } = await daemon(pg.url, urls);
      try {
        await leaderOf([app]);
        const c = await connect(url);
        expect(await c.subscribe({ channel: 'namespace:pgr', fromPosition: 0 })).toMatchObject({ ok: true });
        const w = writer(store, 'pgr', 'pgr-1');
        await c.waitForCount('namespace:pgr', 10);
        await pg.stop();
        pg = await startOwnServer(dir, pg.port);
        const before = w.written();
        await waitFor(() => (w.written() > before + 10 ? true : undefined), 30_000, 'writes after restart');
        await leaderOf([app], 30_000);
        await w.stop();
        const expected = (await readAllOf(store, 'pgr')).map((e) => e.eventId);
        await c.waitForCount('namespace:pgr', expected.length, 30_000);
        expect(c.on('namespace:pgr').map((e) => e.eventId)).toEqual(expected);
      } finally {
        await app.close();
        await db.close();
      }
    });
  });
});
