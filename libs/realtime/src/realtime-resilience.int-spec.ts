import { Database, EventStore } from '@cave/event-store';
import { MetricsService } from '@cave/observability';
import { createTestDatabase, TestDatabase, waitFor } from '@cave/testing';
import { RealtimeService } from './realtime.service';
import { startRealtimeLibApp } from '../test/realtime.test-app';
import {
  clientsClosedAfterEach,
  expectFailoverWithoutGaps,
  expectSlotSurvivesRestart,
  leaderOf,
  readAllOf,
  writer,
} from '../../../test/support/realtime-scenarios';

jest.setTimeout(60_000);

describe('realtime resilience (real Postgres, real Socket.IO)', () => {
  const connect = clientsClosedAfterEach('tok-admin');

  describe('on one database', () => {
    let database: TestDatabase;
    let store: EventStore;
    beforeAll(async () => {
      database = await createTestDatabase();
      store = new EventStore(database.db);
    });
    afterAll(() => database.drop());

    it('two instances: one leads the slot, clients on both get every event, the follower takes over', async () => {
      const [a, b] = [await startRealtimeLibApp(database), await startRealtimeLibApp(database)];
      await expectFailoverWithoutGaps(a, b, store, connect, async (onFollower) => {
        // The follower hears of commits through NOTIFY, not its 1 s safety poll.
        const delays: number[] = [];
        for (let i = 0; i < 5; i++) {
          const t0 = Date.now();
          await store.append('two-0', 'any', [{ type: 'tick', data: { i } }], { namespace: 'two', streamType: 'tick' });
          await onFollower.waitForCount('namespace:two', i + 1);
          delays.push(Date.now() - t0);
        }
        expect(delays.sort((x, y) => x - y)[2]).toBeLessThan(300);
      });
    });

    it('daemon restart mid-stream: the slot survives and a client resuming by cursor misses nothing', () =>
      expectSlotSurvivesRestart(() => startRealtimeLibApp(database), database, store, connect));

    it('without a usable replication login it reports itself disabled and still delivers by polling', async () => {
      const role = `cave_norepl_${Date.now().toString(36)}`;
      const owner = new Database({ appUrl: database.ownerUrl, adminUrl: database.ownerUrl }, 1);
      await owner.admin.query(`create role ${role} login password 'norepl-test' noreplication`);
      const noRepl = Object.assign(new URL(database.ownerUrl), { username: role, password: 'norepl-test' }).toString();
      const { app, url } = await startRealtimeLibApp({ ...database, replicationUrl: noRepl });
      try {
        const svc = app.get(RealtimeService);
        const health = await waitFor(async () => {
          const h = await svc.check();
          return h.status === 'disabled' ? h : undefined;
        }, 10_000, 'disabled');
        expect(health).toMatchObject({ role: 'disabled', error: expect.stringContaining('REPLICATION'), delivery: 'polling' });
        const c = await connect(url);
        expect(await c.subscribe({ channel: 'namespace:poll' })).toMatchObject({ ok: true });
        await store.append('poll-1', 'no_stream', [{ type: 'tick', data: {} }], { namespace: 'poll', streamType: 'tick' });
        await c.waitForCount('namespace:poll', 1, 5_000);
      } finally {
        await app.close();
        await owner.admin.query(`drop role ${role}`);
        await owner.close();
      }
    });

    it('a lost slot is recreated loudly (metric, health) and no event is lost', async () => {
      const { app, url } = await startRealtimeLibApp(database);
      try {
        const svc = app.get(RealtimeService);
        await leaderOf([app]);
        const c = await connect(url);
        expect(await c.subscribe({ channel: 'namespace:lost', fromPosition: 0 })).toMatchObject({ ok: true });
        const w = writer(store, 'lost', 'lost-1');
        await c.waitForCount('namespace:lost', 5);
        // Drop the slot under the leader (as an operator or max_slot_wal_keep_size would).
        await waitFor(async () => {
          await database.db.admin.query('select 1');
          const owner = new Database({ appUrl: database.ownerUrl, adminUrl: database.ownerUrl }, 1);
          try {
            await owner.admin.query('select pg_terminate_backend(active_pid) from pg_replication_slots where slot_name = $1 and active', [svc.slot]);
            await owner.admin.query('select pg_drop_replication_slot($1)', [svc.slot]);
            return true;
          } catch {
            return undefined;
          } finally {
            await owner.close();
          }
        }, 10_000, 'slot dropped');
        await waitFor(async () => ((await svc.check()).status === 'up' ? true : undefined), 20_000, 'slot recreated');
        // This lib app has no API-key guard: read the full registry (the daemon shows it to admin keys only).
        const metrics = { text: await app.get(MetricsService).registry.metrics() };
        expect(metrics.text).toMatch(/cave_realtime_slot_recreated_total\{reason="missing"\} 1/);
        await w.stop();
        const expected = (await readAllOf(store, 'lost')).map((e) => e.eventId);
        await c.waitForCount('namespace:lost', expected.length);
        expect(c.on('namespace:lost').map((e) => e.eventId)).toEqual(expected);
      } finally {
        await app.close();
      }
    });
  });
});
