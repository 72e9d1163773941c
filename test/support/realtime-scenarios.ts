import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { Database, DatabaseUrls, EventStore, RecordedEvent, roleUrl } from '@cave/event-store';
import { RealtimeService } from '@cave/realtime';
import { TestDatabase, waitFor } from '@cave/testing';
import { OwnServer, startOwnServer } from './embedded-pg';
import { RealtimeTestClient } from './realtime-client';

/** The whole history of a namespace in commit-safe order: what a gap- and duplicate-free client must see. */
export async function readAllOf(store: EventStore, namespace: string): Promise<RecordedEvent[]> {
  const all: RecordedEvent[] = [];
  for (let after: string | number = 0; ; ) {
    const page = await store.readAll({ after, filter: { namespace } });
    if (page.events.length === 0) return all;
    all.push(...page.events);
    after = page.cursor;
  }
}

export const leaderOf = async <A extends INestApplication>(apps: A[], timeoutMs = 20_000): Promise<A> =>
  waitFor(
    async () => {
      for (const a of apps) if ((await a.get(RealtimeService).check()).role === 'leader') return a;
      return undefined;
    },
    timeoutMs,
    'a slot leader',
  );

/** Appends one event per tick until stopped, retrying through outages (idempotency keys: no duplicates). */
export function writer(store: EventStore, namespace: string, streamId: string) {
  let stop = false;
  let n = 0;
  const done = (async () => {
    while (!stop) {
      n++;
      for (;;) {
        try {
          await store.append(streamId, 'any', [{ type: 'tick', data: { n } }], { namespace, streamType: 'tick', idempotencyKey: `${streamId}-${n}` });
          break;
        } catch {
          await new Promise((r) => setTimeout(r, 50));
        }
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  return {
    written: () => n,
    stop: async () => {
      stop = true;
      await done;
    },
  };
}

type Connect = (url: string) => Promise<RealtimeTestClient>;
type Started<A extends INestApplication> = { app: A; url: string };

/** `connect(url)` for one describe block: every client it opens is closed after each test. */
export function clientsClosedAfterEach(token: string): Connect {
  const clients: RealtimeTestClient[] = [];
  afterEach(() => clients.splice(0).forEach((c) => c.close()));
  return async (url) => {
    const c = await RealtimeTestClient.connect(url, token);
    clients.push(c);
    return c;
  };
}

/** A private, restartable PostgreSQL server for one describe block (restarts must not touch the shared cluster). */
export function ownServerForSuite(prefix: string): { readonly pg: OwnServer; restart(): Promise<void> } {
  let dir: string;
  let pg: OwnServer;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), prefix));
    chmodSync(dir, 0o755);
    pg = await startOwnServer(dir);
  });
  afterAll(async () => {
    await pg.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    get pg() {
      return pg;
    },
    restart: async () => {
      await pg.stop();
      pg = await startOwnServer(dir, pg.port);
    },
  };
}

/**
 * Two instances on one database: one leads the slot, clients on both get every event, and after the
 * leader closes the follower takes the slot over without a gap. `beforeWrites` runs once both are subscribed.
 */
export async function expectFailoverWithoutGaps<A extends INestApplication>(
  a: Started<A>,
  b: Started<A>,
  store: EventStore,
  connect: Connect,
  beforeWrites?: (onFollower: RealtimeTestClient) => Promise<void>,
): Promise<void> {
  const closed = new Set<unknown>();
  try {
    const leader = await leaderOf([a.app, b.app]);
    const follower = leader === a.app ? b : a;
    // A just-started instance reports 'starting' until its first leadership attempt lost: wait for it.
    await waitFor(async () => ((await follower.app.get(RealtimeService).check()).role === 'follower' ? true : undefined), 10_000, 'follower role');
    const onLeader = await connect(leader === a.app ? a.url : b.url);
    const onFollower = await connect(follower.url);
    for (const c of [onLeader, onFollower]) expect(await c.subscribe({ channel: 'namespace:two', fromPosition: 0 })).toMatchObject({ ok: true });
    await beforeWrites?.(onFollower);
    const w = writer(store, 'two', 'two-1');
    await onFollower.waitForCount('namespace:two', 10);
    await onLeader.waitForCount('namespace:two', 10);
    await leader.close(); // failover: the follower must take the slot over
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
}

/** An instance restarts mid-stream: the slot survives inactive, and a client resuming by cursor misses nothing. */
export async function expectSlotSurvivesRestart<A extends INestApplication>(
  start: () => Promise<Started<A>>,
  database: TestDatabase,
  store: EventStore,
  connect: Connect,
): Promise<void> {
  const first = await start();
  const slot = first.app.get(RealtimeService).slot;
  await leaderOf([first.app]);
  const c1 = await connect(first.url);
  expect(await c1.subscribe({ channel: 'namespace:restart', fromPosition: 0 })).toMatchObject({ ok: true });
  const w = writer(store, 'restart', 'restart-1');
  await c1.waitForCount('namespace:restart', 10);
  await first.app.close();
  const seen = c1.on('namespace:restart');
  const { rows } = await database.db.admin.query('select active from pg_replication_slots where slot_name = $1', [slot]);
  expect(rows).toEqual([{ active: false }]); // durable: nobody streams, but the slot and its position stay
  const second = await start();
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
}

/** PostgreSQL itself restarts under a writer: the replication stream reconnects and the client misses nothing. */
export async function expectStreamSurvivesPgRestart<A extends INestApplication>(
  server: { readonly pg: OwnServer; restart(): Promise<void> },
  start: (ownerUrl: string, urls: DatabaseUrls) => Promise<Started<A>>,
  connect: Connect,
): Promise<void> {
  const urls = { appUrl: roleUrl(server.pg.url, 'cave_app'), adminUrl: roleUrl(server.pg.url, 'cave_admin'), replicationUrl: roleUrl(server.pg.url, 'cave_replicator') };
  const db = new Database(urls, 4);
  const store = new EventStore(db);
  const { app, url } = await start(server.pg.url, urls);
  try {
    await leaderOf([app]);
    const c = await connect(url);
    expect(await c.subscribe({ channel: 'namespace:pgr', fromPosition: 0 })).toMatchObject({ ok: true });
    const w = writer(store, 'pgr', 'pgr-1');
    await c.waitForCount('namespace:pgr', 10);
    await server.restart();
    const before = w.written();
    await waitFor(() => (w.written() > before + 10 ? true : undefined), 30_000, 'writes after restart');
    await leaderOf([app], 30_000);
    await w.stop();
    const expected = (await readAllOf(store, 'pgr')).map((e) => e.eventId);
    expect(expected.length).toBeGreaterThan(20);
    await c.waitForCount('namespace:pgr', expected.length, 30_000);
    expect(c.on('namespace:pgr').map((e) => e.eventId)).toEqual(expected);
  } finally {
    await app.close();
    await db.close();
  }
}
