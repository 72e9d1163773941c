import { Database, encodeCursor, EventStore, ReadAllResult } from '@cave/event-store';
import { EventTail } from './event-tail';

/** A store whose reads fail while `down` is set (the database crashed), and return nothing otherwise. */
function fakeStore() {
  const state = { down: true, reads: 0 };
  const store = {
    readAll: async (): Promise<ReadAllResult> => {
      state.reads++;
      if (state.down) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
      return { events: [], cursor: encodeCursor({ transactionId: 0n, globalPosition: 0n }) } as unknown as ReadAllResult;
    },
  };
  return { state, store: store as unknown as EventStore };
}

const db = { admin: { query: async () => ({ rows: [] }) } } as unknown as Database;

describe('EventTail while the database is down', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('backs off (100 ms doubling to 5 s) however often commits wake it, and reports the outage once it reads again', async () => {
    const { state, store } = fakeStore();
    const errors: number[] = [];
    const recovered: Array<[number, number]> = [];
    const tail = new EventTail(db, store, {
      pollMs: 1000,
      onError: (_e, n) => errors.push(n),
      onRecover: (n, ms) => recovered.push([n, ms]),
    });
    await tail.start();
    // A commit is owed (the WAL said so) and wake-ups keep coming: before the backoff this re-read every 50 ms.
    tail.wake({ transactionId: 10n, globalPosition: 5n });
    for (let t = 0; t < 30_000; t += 10) {
      tail.wake({ transactionId: 10n, globalPosition: 5n });
      await jest.advanceTimersByTimeAsync(10);
    }
    // 100+200+400+800+1600+3200 = 6.3 s, then one read per 5 s: 11 reads in 30 s.
    expect(state.reads).toBeGreaterThanOrEqual(9);
    expect(state.reads).toBeLessThanOrEqual(12);
    expect(errors).toEqual(Array.from({ length: state.reads }, (_, i) => i + 1));
    expect(recovered).toEqual([]);

    state.down = false;
    await jest.advanceTimersByTimeAsync(5_000);
    expect(recovered).toHaveLength(1);
    expect(recovered[0][0]).toBe(errors.length);
    expect(recovered[0][1]).toBeGreaterThanOrEqual(25_000);
    tail.stop();
  });
});
