import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { EventStore } from '@cave/event-store';
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
