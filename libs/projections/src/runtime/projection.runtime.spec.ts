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
