import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { EventStore } from '@cave/event-store';
import { Client } from 'pg';
import { createTestDatabase, TestDatabase, waitFor } from '@cave/testing';
import { RealtimeService } from './realtime.service';
import { startRealtimeLibApp } from '../test/realtime.test-app';
import { RealtimeTestClient } from '../../../test/support/realtime-client';

describe('realtime lib (real Postgres, real Socket.IO)', () => {
  let database: TestDatabase;
  let app: NestFastifyApplication;
  let url: string;
  let store: EventStore;
  const clients: RealtimeTestClient[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    ({ app, url } = await startRealtimeLibApp(database));
    store = app.get(EventStore);
    await waitFor(async () => ((await app.get(RealtimeService).check()).status === 'up' ? true : undefined), 15_000, 'slot leader');
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await app.close();
    await database.drop();
  });

  const connect = async (token: string) => {
    const c = await RealtimeTestClient.connect(url, token);
    clients.push(c);
    return c;
  };

  it('delivers a committed event live', async () => {
    const c = await connect('tok-acme');
    expect(await c.subscribe({ channel: 'namespace' })).toEqual({ ok: true, channel: 'namespace' });
    const r = await store.append('s-live', 'no_stream', [{ type: 'thing_happened', data: { n: 1 } }], { namespace: 'acme', streamType: 'thing' });
    const [e] = await c.waitForCount('namespace', 1);
    expect(e).toMatchObject({ channel: 'namespace', cursor: r.cursor, namespace: 'acme', streamId: 's-live', type: 'thing_happened', data: { n: 1 } });
  });

  it('replays from 0 then continues live', async () => {
    const c = await connect('tok-acme');
    expect(await c.subscribe({ channel: 'stream:s-live', fromPosition: 0 })).toEqual({ ok: true, channel: 'stream:s-live' });
    await c.waitForCount('stream:s-live', 1);
    await store.append('s-live', 1, [{ type: 'thing_happened', data: { n: 2 } }], { namespace: 'acme', streamType: 'thing' });
    const got = await c.waitForCount('stream:s-live', 2);
    expect(got.map((e) => e.streamVersion)).toEqual([1, 2]);
  });

  it('catches up more than one 500-event page from position 0: every event once, in order, then live', async () => {
    // 1,234 history events over a few streams: three catch-up pages (500, 500, 234).
    const written: number[] = [];
    for (let s = 0; s < 5; s++) {
      const n = s < 4 ? 250 : 234;
      const r = await store.append(`pages-${s}`, 'no_stream', Array.from({ length: n }, (_, i) => ({ type: 'paged', data: { s, i } })), { namespace: 'pages', streamType: 'page' });
      written.push(...r.globalPositions);
    }
    const c = await connect('tok-admin');
    expect(await c.subscribe({ channel: 'namespace:pages', fromPosition: 0 })).toMatchObject({ ok: true });
    // Live events committed while the history pages are still being sent.
    for (let i = 0; i < 3; i++) {
      const r = await store.append(`pages-live-${i}`, 'no_stream', [{ type: 'paged', data: { live: i } }], { namespace: 'pages', streamType: 'page' });
      written.push(...r.globalPositions);
    }
    await c.waitForCount('namespace:pages', written.length, 30_000);
    await new Promise((r) => setTimeout(r, 300));
    expect(c.on('namespace:pages').map((e) => e.globalPosition)).toEqual(written);
  }, 60_000);

  it("keeps the slot's confirmed_flush_lsn behind a commit the tail has not delivered yet, and confirms it once delivered", async () => {
    const slot = app.get(RealtimeService).slot;
    const owner = new Client({ connectionString: database.ownerUrl });
    const blocker = new Client({ connectionString: database.ownerUrl });
    await Promise.all([owner.connect(), blocker.connect()]);
    // confirmed_flush_lsn is what the leader sent as flushed: the LSN it acknowledged + 1 (the protocol's "last byte + 1").
    const confirmed = async () =>
      (await owner.query<{ lsn: string }>(`select confirmed_flush_lsn::text as lsn from pg_replication_slots where slot_name = $1`, [slot])).rows[0].lsn;
    const atMost = async (lsn: string) =>
      (await owner.query<{ ok: boolean }>(`select confirmed_flush_lsn <= $2::pg_lsn as ok from pg_replication_slots where slot_name = $1`, [slot, lsn])).rows[0].ok;
    try {
      const c = await connect('tok-admin');
      expect(await c.subscribe({ channel: 'namespace:held' })).toMatchObject({ ok: true });
      // An older transaction holds an xid: the tail reads only below the xmin horizon (ADR 0002), so the next
      // commit arrives over the WAL at once but cannot be delivered until the blocker ends.
      await blocker.query('begin');
      await blocker.query('select pg_current_xact_id()');
      await owner.query(
        `select * from cave_append('held', 'held', 'held-1', 0, '[{"eventId": "00000000-0000-4000-8000-00000000beef", "type": "held", "data": {}, "metadata": {}}]'::jsonb, null)`,
      );
      // The insert position right after the commit, on the committing connection: the commit's end LSN, or past it
      // when other databases of the cluster wrote WAL in between (the write position may still lag behind it).
      const commitEnd = (await owner.query<{ lsn: string }>(`select pg_current_wal_insert_lsn()::text as lsn`)).rows[0].lsn;
      // The commit was received (the leader saw it and keepalives keep coming) but not delivered: it must not be
      // confirmed. Acknowledging it on receipt would make confirmed_flush_lsn commitEnd + 1.
      for (let i = 0; i < 15; i++) {
        expect({ i, held: await atMost(commitEnd), delivered: c.on('namespace:held').length }).toEqual({ i, held: true, delivered: 0 });
        await new Promise((r) => setTimeout(r, 100));
      }
      await blocker.query('rollback');
      await c.waitForCount('namespace:held', 1);
      // Delivered: now the leader confirms it (the positive control: the loop above passed because it was held).
      await waitFor(async () => ((await atMost(commitEnd)) ? undefined : true), 15_000, `confirmed_flush_lsn past ${commitEnd} (is ${await confirmed()})`);
    } finally {
      await blocker.query('rollback').catch(() => undefined);
      await Promise.all([owner.end(), blocker.end()]);
    }
  }, 30_000);

  it('resumes by cursor with no gap and no duplicate while writers commit out of position order', async () => {
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const live = await connect('tok-admin');
    expect(await live.subscribe({ channel: 'namespace:race', fromPosition: 0 })).toMatchObject({ ok: true });
    const first = await connect('tok-admin');
    expect(await first.subscribe({ channel: 'namespace:race', fromPosition: 0 })).toMatchObject({ ok: true });

    let stop = false;
    const commitOrder: number[] = [];
    const writers = Array.from({ length: 6 }, (_, w) =>
      (async () => {
        for (let i = 0; !stop || i < 5; i++) {
          // Take the xid early, insert later, commit later still: commit order, xid order and
          // position order all disagree, which is what the cursor must survive.
          const r = await database.db.tenant('race', async (client) => {
            if (w % 2 === 0) await client.query('select pg_current_xact_id()');
            await sleep(Math.random() * 8);
            const res = await store.append(`race-${w}`, i === 0 ? 'no_stream' : i, [{ type: 'tick', data: { w, i } }], { namespace: 'race', streamType: 'tick', client });
            await sleep(Math.random() * 8);
            return res;
          });
          commitOrder.push(r.globalPositions[0]);
        }
      })(),
    );
    await first.waitForCount('namespace:race', 20);
    first.close();
    const seen = first.on('namespace:race');
    const resumed = await connect('tok-admin');
    expect(await resumed.subscribe({ channel: 'namespace:race', cursor: seen[seen.length - 1].cursor })).toMatchObject({ ok: true });
    await sleep(300);
    stop = true;
    await Promise.all(writers);

    const all = [];
    for (let after: string | number = 0; ; ) {
      const page = await store.readAll({ after, filter: { namespace: 'race' } });
      all.push(...page.events);
      if (page.events.length === 0) break;
      after = page.cursor;
    }
    const expected = all.map((e) => e.eventId);
    // The race really interleaved: neither commit order nor position order is the delivery order.
    expect(commitOrder).not.toEqual(all.map((e) => e.globalPosition));
    expect(all.map((e) => e.globalPosition)).not.toEqual(all.map((e) => e.globalPosition).sort((a, b) => a - b));
    await resumed.waitForCount('namespace:race', expected.length - seen.length);
    await live.waitForCount('namespace:race', expected.length);
    expect([...seen, ...resumed.on('namespace:race')].map((e) => e.eventId)).toEqual(expected);
    expect(live.on('namespace:race').map((e) => e.eventId)).toEqual(expected);
  });
});
