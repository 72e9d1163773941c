import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Database, EventStore, roleUrl } from '@cave/event-store';
import { waitFor } from '@cave/testing';
import { startRealtimeLibApp } from './realtime.test-app';
import { RealtimeTestClient } from '../../../test/support/realtime-client';
import { OwnServer, startOwnServer } from '../../../test/support/embedded-pg';
import { leaderOf, readAllOf, writer } from '../../../test/support/realtime-scenarios';

jest.setTimeout(120_000);

describe('realtime across a PostgreSQL restart (own server)', () => {
  let dir: string;
  let pg: OwnServer;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cave-rt-restart-'));
    chmodSync(dir, 0o755);
    pg = await startOwnServer(dir);
  });
  afterAll(async () => {
    await pg.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reconnects the replication stream and the subscribed client misses nothing', async () => {
    const urls = { appUrl: roleUrl(pg.url, 'cave_app'), adminUrl: roleUrl(pg.url, 'cave_admin'), replicationUrl: roleUrl(pg.url, 'cave_replicator') };
    const db = new Database(urls, 4);
    const store = new EventStore(db);
    const { app, url } = await startRealtimeLibApp(urls);
    const c = await RealtimeTestClient.connect(url, 'tok-admin');
    try {
      await leaderOf([app]);
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
      expect(expected.length).toBeGreaterThan(20);
      await c.waitForCount('namespace:pgr', expected.length, 30_000);
      expect(c.on('namespace:pgr').map((e) => e.eventId)).toEqual(expected);
    } finally {
      c.close();
      await app.close();
      await db.close();
    }
  });
});
