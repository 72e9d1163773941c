import { Database, EventStore } from '@cave/event-store';
import { ProjectionRegistry } from './projection.registry';
import { ProjectionRuntime } from './projection.runtime';

describe('ProjectionRuntime while the database is down', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('backs off its leadership attempts (1 s doubling to 5 s) and says once when they work again', async () => {
    let down = true;
    let connects = 0;
    const client = { on: () => undefined, query: async () => ({ rows: [] }), release: () => undefined };
    const db = {
      admin: {
        connect: async () => {
          connects++;
          if (down) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
          return client;
        },
        query: async () => ({ rows: [] }),
      },
    } as unknown as Database;
    const store = { onAppend: () => undefined } as unknown as EventStore;
    const lines: Array<{ level: string; msg: string }> = [];
    const runtime = new ProjectionRuntime(db, store, new ProjectionRegistry(), { log: (level, msg) => lines.push({ level, msg }) });
    await runtime.start();
    await jest.advanceTimersByTimeAsync(60_000);
    // 1+2+4+5+5+... s: 14 attempts in a minute; a fixed 1 s retry would make 61 (and log each).
    expect(connects).toBeGreaterThanOrEqual(12);
    expect(connects).toBeLessThanOrEqual(15);
    expect(lines.filter((l) => l.msg === 'projection leadership tick failed')).toHaveLength(connects);

    down = false;
    await jest.advanceTimersByTimeAsync(5_000);
    expect(lines.filter((l) => l.msg === 'projection leadership ticks work again')).toHaveLength(1);
    await runtime.stop();
  });
});

describe('ProjectionRuntime after a local append', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  function withAppends(opts: { batchWindowMs?: number }) {
    let appended: () => void = () => undefined;
    const notifies: string[] = [];
    const db = { admin: { query: async (sql: string) => void notifies.push(sql) } } as unknown as Database;
    const store = { onAppend: (l: () => void) => (appended = l) } as unknown as EventStore;
    const runtime = new ProjectionRuntime(db, store, new ProjectionRegistry(), opts);
    const wake = jest.spyOn(runtime, 'wake').mockImplementation(() => undefined);
    return { append: () => appended(), wake, notifies };
  }

  it('wakes its runners and the other instances once, a batch window after the first append of a quiet stretch', async () => {
    const { append, wake, notifies } = withAppends({ batchWindowMs: 20 });
    append();
    append();
    append();
    // The request that appended and the ones right behind it go first: nothing follows within the window.
    await jest.advanceTimersByTimeAsync(19);
    expect(wake).not.toHaveBeenCalled();
    expect(notifies).toHaveLength(0);
    await jest.advanceTimersByTimeAsync(1);
    expect(wake).toHaveBeenCalledTimes(1);
    expect(notifies).toEqual([expect.stringContaining('pg_notify')]);
    append();
    await jest.advanceTimersByTimeAsync(20);
    expect(wake).toHaveBeenCalledTimes(2);
    expect(notifies).toHaveLength(2);
  });

  it('with a batch window of 0 wakes its runners at every append, the other instances still once per 5 ms', async () => {
    const { append, wake, notifies } = withAppends({ batchWindowMs: 0 });
    append();
    append();
    expect(wake).toHaveBeenCalledTimes(2);
    await jest.advanceTimersByTimeAsync(5);
    expect(notifies).toHaveLength(1);
  });
});
