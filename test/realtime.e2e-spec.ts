import request from 'supertest';
import { EventStore } from '@cave/event-store';
import { startTestApp, TestApp, waitFor } from '@cave/testing';
import { createApp } from '../apps/cave-daemon/src/bootstrap/create-app';
import { RealtimeTestClient } from './support/realtime-client';
import { leaderOf, readAllOf } from './support/realtime-scenarios';

jest.setTimeout(60_000);

const ADMIN = 'cave_sk_' + 'r'.repeat(40);
const bearer = (key: string) => ({ Authorization: `Bearer ${key}` });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('/realtime over real Socket.IO with real API keys', () => {
  let t: TestApp;
  let store: EventStore;
  const clients: RealtimeTestClient[] = [];
  const issue = async (namespace: string, role = 'member'): Promise<{ id: string; key: string }> =>
    (await request(t.url).post('/api/v1/auth/keys').set(bearer(ADMIN)).send({ namespace, name: `rt-${namespace}`, role }).expect(201)).body;
  const connect = async (key: string) => {
    const c = await RealtimeTestClient.connect(t.url, key);
    clients.push(c);
    return c;
  };
  const append = (namespace: string, streamId: string, n = 1) =>
    store.append(streamId, 'any', Array.from({ length: n }, (_, i) => ({ type: 'thing_happened', data: { i } })), { namespace, streamType: 'thing' });

  beforeAll(async () => {
    t = await startTestApp(createApp, { CAVE_BOOTSTRAP_ADMIN_KEY: ADMIN });
    store = t.app.get(EventStore);
    await leaderOf([t.app]);
  });
  afterEach(() => clients.splice(0).forEach((c) => c.close()));
  afterAll(() => t.close());

  it('refuses a handshake without a valid key with UNAUTHORIZED', async () => {
    for (const token of [undefined, '', 'cave_sk_' + 'x'.repeat(43), 42]) {
      const refused = await RealtimeTestClient.refused(t.url, token);
      expect(refused.data).toEqual({ code: 'UNAUTHORIZED' });
    }
  });

  it('delivers committed events live with the documented payload', async () => {
    const { key } = await issue('rt-live');
    const c = await connect(key);
    expect(await c.subscribe({ channel: 'namespace' })).toEqual({ ok: true, channel: 'namespace' });
    const r = await append('rt-live', 'thing-live');
    const e = await waitFor(() => c.on('namespace').find((x) => x.streamId === 'thing-live'));
    expect(e).toEqual({
      channel: 'namespace',
      cursor: r.cursor,
      globalPosition: r.globalPositions[0],
      eventId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      namespace: 'rt-live',
      streamType: 'thing',
      streamId: 'thing-live',
      streamVersion: 1,
      type: 'thing_happened',
      schemaVersion: 1,
      data: { i: 0 },
      metadata: {},
      recordedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(await c.unsubscribe({ channel: 'namespace' })).toEqual({ ok: true, channel: 'namespace' });
    expect(await c.unsubscribe({ channel: 'namespace' })).toMatchObject({ ok: false, error: { code: 'REALTIME.NOT_SUBSCRIBED' } });
  });

  it('keeps members inside their namespace: other streams look nonexistent, admin channels are refused', async () => {
    const mine = await issue('rt-a');
    await issue('rt-b');
    await append('rt-b', 'secret-stream', 2);
    await append('rt-a', 'own-stream');
    const c = await connect(mine.key);
    const guessed = await c.subscribe({ channel: 'stream:secret-stream', fromPosition: 0 });
    const missing = await c.subscribe({ channel: 'stream:no-such-stream', fromPosition: 0 });
    expect(guessed).toEqual({ ok: false, error: { code: 'REALTIME.STREAM_NOT_FOUND', message: 'no such stream' } });
    expect(missing).toEqual(guessed);
    for (const channel of ['all', 'namespace:rt-b', 'namespace:rt-a']) {
      expect(await c.subscribe({ channel })).toMatchObject({ ok: false, error: { code: 'REALTIME.FORBIDDEN' } });
    }
    for (const body of [null, 'x', { channel: 'bogus' }, { channel: 'namespace', fromPosition: -1 }, { channel: 'namespace', cursor: 'zz' }, { channel: 'namespace', extra: 1 }]) {
      expect(await c.subscribe(body)).toMatchObject({ ok: false, error: { code: expect.stringMatching(/^REALTIME\./) } });
    }
    expect(await c.subscribe({ channel: 'namespace', fromPosition: 0 })).toMatchObject({ ok: true });
    expect(await c.subscribe({ channel: 'type:thing', fromPosition: 0 })).toMatchObject({ ok: true });
    await append('rt-b', 'secret-stream');
    const marker = await append('rt-a', 'own-stream');
    for (const ch of ['type:thing', 'namespace']) await waitFor(() => (c.on(ch).some((e) => e.cursor === marker.cursor) ? true : undefined));
    expect(c.events.every((e) => e.namespace === 'rt-a')).toBe(true);
    // History then live: the key's own key_issued event, then both appends, never rt-b's stream.
    expect(c.on('namespace').map((e) => e.streamId)).toEqual([expect.stringMatching(/^api_key-/), 'own-stream', 'own-stream']);
    // The key's stored digest is a credential of the read model: it never reaches a socket.
    expect((c.on('namespace')[0].data as { secretSha256: string }).secretSha256).toBe('[redacted]');
  });

  it('gives admin keys namespace:<ns> and all', async () => {
    const c = await connect(ADMIN);
    expect(await c.subscribe({ channel: 'namespace:rt-b', fromPosition: 0 })).toMatchObject({ ok: true });
    expect(await c.subscribe({ channel: 'all' })).toMatchObject({ ok: true });
    await c.waitForCount('namespace:rt-b', 3);
    await append('rt-a', 'own-stream');
    await c.waitForCount('all', 1);
  });

  it('replays a channel from 0, then continues live with no gap and no duplicate at the seam', async () => {
    const { key } = await issue('rt-replay');
    for (let i = 0; i < 30; i++) await append('rt-replay', `replay-${i % 3}`);
    const c = await connect(key);
    let stop = false;
    const live = (async () => {
      while (!stop) await append('rt-replay', 'replay-live');
    })();
    expect(await c.subscribe({ channel: 'namespace', fromPosition: 0 })).toMatchObject({ ok: true });
    await c.waitForCount('namespace', 60);
    stop = true;
    await live;
    const expected = (await readAllOf(store, 'rt-replay')).map((e) => e.eventId);
    await c.waitForCount('namespace', expected.length);
    expect(c.on('namespace').map((e) => e.eventId)).toEqual(expected);
  });

  it('resumes by cursor exactly after the last event received, with writers committing out of order', async () => {
    const { key } = await issue('rt-race');
    const live = await connect(key);
    expect(await live.subscribe({ channel: 'namespace', fromPosition: 0 })).toMatchObject({ ok: true });
    const first = await connect(key);
    expect(await first.subscribe({ channel: 'namespace', fromPosition: 0 })).toMatchObject({ ok: true });
    let stop = false;
    const commitOrder: number[] = [];
    const writers = Array.from({ length: 6 }, (_, w) =>
      (async () => {
        for (let i = 0; !stop || i < 5; i++) {
          const r = await t.database.db.tenant('rt-race', async (client) => {
            if (w % 2 === 0) await client.query('select pg_current_xact_id()'); // xid now, position later
            await sleep(Math.random() * 8);
            const res = await store.append(`race-${w}`, i === 0 ? 'no_stream' : i, [{ type: 'tick', data: { w, i } }], { namespace: 'rt-race', streamType: 'tick', client });
            await sleep(Math.random() * 8);
            return res;
          });
          commitOrder.push(r.globalPositions[0]);
        }
      })(),
    );
    await first.waitForCount('namespace', 20);
    first.close();
    const seen = first.on('namespace');
    const resumed = await connect(key);
    expect(await resumed.subscribe({ channel: 'namespace', cursor: seen[seen.length - 1].cursor })).toMatchObject({ ok: true });
    await sleep(300);
    stop = true;
    await Promise.all(writers);
    const all = await readAllOf(store, 'rt-race');
    expect(commitOrder).not.toEqual(all.map((e) => e.globalPosition)); // the writers really interleaved
    const expected = all.map((e) => e.eventId);
    await resumed.waitForCount('namespace', expected.length - seen.length);
    await live.waitForCount('namespace', expected.length);
    expect([...seen, ...resumed.on('namespace')].map((e) => e.eventId)).toEqual(expected);
    expect(live.on('namespace').map((e) => e.eventId)).toEqual(expected);
  });

  it('disconnects the sockets of a revoked key within 2 s of key_revoked', async () => {
    const doomed = await issue('rt-revoke');
    const kept = await issue('rt-revoke');
    const a = await connect(doomed.key);
    const b = await connect(kept.key);
    await request(t.url).delete(`/api/v1/auth/keys/${doomed.id}`).set(bearer(ADMIN)).expect(204);
    const revokedAt = Date.now();
    await waitFor(() => (a.disconnectReason ? true : undefined), 2000, 'revoked socket disconnected');
    expect(Date.now() - revokedAt).toBeLessThan(2000);
    expect(a.revoked).toBe(true);
    expect(a.disconnectReason).toBe('io server disconnect');
    expect(b.socket.connected).toBe(true);
    expect((await RealtimeTestClient.refused(t.url, doomed.key)).data).toEqual({ code: 'UNAUTHORIZED' });
  });

  it('reports the slot on /healthz and realtime metrics on /metrics', async () => {
    const c = await connect(ADMIN);
    await c.subscribe({ channel: 'all' });
    const health = await request(t.url).get('/healthz').set('authorization', `Bearer ${ADMIN}`).expect(200);
    expect(health.body.checks.realtime).toMatchObject({ status: 'up', role: 'leader', slotActive: true, walStatus: expect.any(String), lagBytes: expect.any(Number), sockets: 1 });
    // The slot lag gauge is sampled in the background: the first scrape may still say -1.
    const metrics = await waitFor(async () => {
      const m = (await request(t.url).get('/metrics').set('authorization', `Bearer ${ADMIN}`).expect(200)).text;
      return /cave_realtime_slot_lag_bytes \d+/.test(m) ? m : undefined;
    }, 5000, 'slot lag sampled');
    expect(metrics).toMatch(/cave_realtime_slot_lag_bytes \d+/);
    expect(metrics).toMatch(/cave_realtime_connected_sockets 1/);
    expect(metrics).toMatch(/cave_realtime_channel_subscribers\{namespace="\*",channel="all"\} 1/);
    expect(metrics).toMatch(/cave_realtime_events_delivered_total \d+/);
    expect(metrics).toMatch(/cave_realtime_slot_leader 1/);
  });
});
