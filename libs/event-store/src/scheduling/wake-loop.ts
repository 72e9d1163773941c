/** How long to wait before the next step, and whether `wake()` may cut the wait short. */
export interface Pause {
  ms: number;
  /** Default true. A non-wakeable pause (a batch window, a backoff) only ends early on `stop()`. */
  wakeable?: boolean;
}

export interface WakeLoopOptions {
  /**
   * A step threw (the loop is not stopping). Return `false` to run the next step at once without backing
   * off (an expected race); otherwise the loop waits `retryMs`, doubling from 100 ms up to 5 s, reset by
   * the next step that succeeds.
   */
  onError(e: unknown, retryMs: number): boolean | void;
  /** Pauses do not keep the process alive (for loops a shutdown may leave without stopping). */
  unref?: boolean;
}

const MIN_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 5_000;

/**
 * Runs `step` until stopped: after each step the pause it returns (none: at once), after a failure an
 * exponential backoff. `wake()` ends a wakeable pause now, or the next one at once when it arrives while a
 * step runs, so no wake-up is lost between "read nothing" and "go to sleep". `stop()` ends any pause and
 * resolves when the step in flight has returned. Used by the projection runners and the WAL leader.
 */
export class WakeLoop {
  private stopping = false;
  private pendingWake = false;
  private wakeUp?: () => void;
  private done?: Promise<void>;
  private backoffMs = 0;

  constructor(
    private readonly step: () => Promise<Pause | undefined | void>,
    private readonly opts: WakeLoopOptions,
  ) {}

  get stopped(): boolean {
    return this.stopping;
  }

  start(): void {
    this.done ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wakeUp?.();
    await this.done;
  }

  wake(): void {
    this.pendingWake = true;
    this.wakeUp?.();
  }

  /** A pause that `stop()` (and, when wakeable, `wake()`) ends early; for waits inside a step too. */
  sleep(ms: number, wakeable = true): Promise<void> {
    if (this.stopping) return Promise.resolve();
    if (wakeable && this.pendingWake) {
      this.pendingWake = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const end = () => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        // A wake-up during this pause is honoured by the step that follows it.
        this.pendingWake = false;
        resolve();
      };
      const timer = setTimeout(end, ms);
      if (this.opts.unref) timer.unref();
      this.wakeUp = wakeable ? end : () => (this.stopping ? end() : undefined);
    });
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      let pause: Pause | undefined | void;
      try {
        pause = await this.step();
        this.backoffMs = 0;
      } catch (e) {
        if (this.stopping) break;
        const retryMs = Math.min(Math.max(this.backoffMs * 2, MIN_BACKOFF_MS), MAX_BACKOFF_MS);
        if (this.opts.onError(e, retryMs) === false) continue;
        this.backoffMs = retryMs;
        pause = { ms: retryMs, wakeable: false };
      }
      if (pause && pause.ms > 0) await this.sleep(pause.ms, pause.wakeable ?? true);
    }
  }
}
