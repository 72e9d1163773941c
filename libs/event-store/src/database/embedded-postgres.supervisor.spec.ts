import { EventEmitter } from 'node:events';
import type { ChildProcess } from 'node:child_process';
import { EmbeddedPostgresSupervisor, SupervisedServer } from './embedded-postgres.supervisor';

/** A postmaster stand-in: `crash()` makes it exit on its own; `start` fails while `failing` > 0. */
function fakeServer() {
  const starts: number[] = [];
  let failing = 0;
  const server: SupervisedServer & { crash(): void; failNext(n: number): void } = {
    process: undefined,
    start: async () => {
      starts.push(Date.now());
      const child = Object.assign(new EventEmitter(), { pid: 4242, exitCode: null, signalCode: null }) as unknown as ChildProcess;
      server.process = child;
      if (failing > 0) {
        failing--;
        Object.assign(child, { exitCode: 1 });
        throw new Error('pre-existing shared memory block is still in use');
      }
    },
    stop: jest.fn(async () => undefined),
    crash: () => {
      Object.assign(server.process as object, { signalCode: 'SIGKILL' });
      server.process?.emit('exit', null, 'SIGKILL');
    },
    failNext: (n) => (failing = n),
  };
  return { server, starts };
}

describe('EmbeddedPostgresSupervisor', () => {
  beforeEach(() => jest.useFakeTimers({ now: 0 }));
  afterEach(() => jest.useRealTimers());

  it('restarts a postmaster that died on its own, backing off 0.5 s doubling while restarts fail', async () => {
    const { server, starts } = fakeServer();
    await server.start();
    const lines: string[] = [];
    const sup = new EmbeddedPostgresSupervisor(server, { log: (_l, m) => lines.push(m) });
    server.failNext(3);
    jest.setSystemTime(10_000);
    server.crash();
    await jest.advanceTimersByTimeAsync(60_000);
    // Attempts at +0.5 s, then 1, 2, 4 s after each failure: 10.5, 11.5, 13.5, 17.5 s.
    expect(starts.slice(1)).toEqual([10_500, 11_500, 13_500, 17_500]);
    expect(sup.restarts).toBe(1);
    expect(lines[0]).toBe('embedded PostgreSQL (pid 4242) exited unexpectedly (SIGKILL); restarting in 500 ms');
    expect(lines.filter((l) => /restart attempt \d failed: pre-existing shared memory/.test(l))).toHaveLength(3);
    expect(lines.at(-1)).toBe('embedded PostgreSQL restarted (attempt 4, down 7500 ms)');

    // The restarted server is supervised too.
    server.crash();
    await jest.advanceTimersByTimeAsync(1_000);
    expect(sup.restarts).toBe(2);
    await sup.stop();
    expect(server.stop).toHaveBeenCalledTimes(1);
  });

  it('stop() stops a live server, skips a dead one and cancels a pending restart', async () => {
    const { server, starts } = fakeServer();
    await server.start();
    const sup = new EmbeddedPostgresSupervisor(server, { log: () => undefined });
    server.crash();
    await sup.stop();
    await jest.advanceTimersByTimeAsync(60_000);
    expect(starts).toHaveLength(1);
    // embedded-postgres' own stop() would wait forever for the dead child's 'exit'.
    expect(server.stop).not.toHaveBeenCalled();
  });

  it('an exit it asked for is not a crash', async () => {
    const { server, starts } = fakeServer();
    await server.start();
    const sup = new EmbeddedPostgresSupervisor(server, { log: () => undefined });
    await sup.stop();
    server.crash();
    await jest.advanceTimersByTimeAsync(60_000);
    expect(starts).toHaveLength(1);
    expect(server.stop).toHaveBeenCalledTimes(1);
  });
});
