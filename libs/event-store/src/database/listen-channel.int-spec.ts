import { Client } from 'pg';
import { createTestDatabase, TestDatabase, waitFor } from '@cave/testing';
import { ListenChannel } from './listen-channel';

/**
 * The channel's one connection carries NOTIFYs and, every second, a count of the other listeners. pg deprecates a
 * query sent before the previous one settled (pg 9 refuses it), so the two must take turns, and every payload
 * still arrives.
 */
describe('ListenChannel (real Postgres)', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t.drop());

  it('never has two queries in flight on its connection while notifies race the peer count, and delivers every payload', async () => {
    const received: string[] = [];
    let connected = false;
    const channel = new ListenChannel({
      url: t.adminUrl,
      channel: 'cave_listen_probe',
      applicationName: 'cave-listen-probe',
      label: 'probe channel',
      onNotification: (p) => received.push(p),
      onConnected: () => (connected = true),
      log: () => undefined,
    });
    const query = Client.prototype.query;
    const inFlight = new Map<Client, number>();
    let worst = 0;
    const spy = jest.spyOn(Client.prototype, 'query').mockImplementation(function (this: Client, ...args: unknown[]) {
      const n = (inFlight.get(this) ?? 0) + 1;
      inFlight.set(this, n);
      worst = Math.max(worst, n);
      const settled = () => inFlight.set(this, (inFlight.get(this) ?? 1) - 1);
      const r = (query as (...a: unknown[]) => unknown).apply(this, args) as Promise<unknown>;
      return r.then(
        (v) => (settled(), v),
        (e: unknown) => {
          settled();
          throw e;
        },
      );
    } as never);
    try {
      channel.start();
      await waitFor(async () => connected || undefined, 10_000, 'channel connected');
      // 1.5 s of notifies, three at a time, spans at least one tick of the peer count.
      const sent: string[] = [];
      const until = Date.now() + 1500;
      for (let i = 0; Date.now() < until; i += 3) {
        const batch = [`${i}`, `${i + 1}`, `${i + 2}`];
        sent.push(...batch);
        await Promise.all(batch.map((p) => channel.notify([p])));
      }
      await waitFor(async () => (received.length >= sent.length ? true : undefined), 10_000, 'every payload back');
      expect(received.sort()).toEqual(sent.sort());
      expect(worst).toBe(1);
    } finally {
      spy.mockRestore();
      await channel.stop();
    }
  });
});
