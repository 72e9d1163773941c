import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '@cave/config';
import { DatabaseUrls, EventStore } from '@cave/event-store';
import { createTestDatabase, TestDatabase } from '@cave/testing';
import { createApp } from '../apps/cave-daemon/src/bootstrap/create-app';
import {
  clientsClosedAfterEach,
  expectFailoverWithoutGaps,
  expectSlotSurvivesRestart,
  expectStreamSurvivesPgRestart,
  ownServerForSuite,
} from './support/realtime-scenarios';

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
  const connect = clientsClosedAfterEach(ADMIN);

  describe('several daemons on one database', () => {
    let database: TestDatabase;
    let store: EventStore;
    beforeAll(async () => {
      database = await createTestDatabase();
      store = new EventStore(database.db);
    });
    afterAll(() => database.drop());

    it('two instances: one leads, clients on both get every event, the follower takes over', async () => {
      const [a, b] = [await daemon(database.ownerUrl, database), await daemon(database.ownerUrl, database)];
      await expectFailoverWithoutGaps(a, b, store, connect);
    });

    it('daemon restart mid-stream: the slot survives, a client resuming by cursor misses nothing', () =>
      expectSlotSurvivesRestart(() => daemon(database.ownerUrl, database), database, store, connect));
  });

  describe('PostgreSQL restart (own server)', () => {
    const server = ownServerForSuite('cave-e2e-pgr-');

    it('the stream reconnects and a subscribed client misses nothing', () => expectStreamSurvivesPgRestart(server, daemon, connect));
  });
});
