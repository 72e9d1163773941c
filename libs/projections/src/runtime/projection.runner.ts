import { WakeLoop } from '@cave/event-store';
import { CheckpointMovedError, errorText } from './checkpoint.store';
import { LiveTrack } from './live-track';
import { Projection } from './projection';
import { RebuildTrack } from './rebuild-track';
import { RunnerDeps } from './runner-deps';

export type { ProjectionLogger, RunnerDeps } from './runner-deps';

/**
 * Drives one projection while this instance leads it: each step reads the checkpoint, runs the live track
 * and, when a rebuild is requested or running, the rebuild track (interleaved, one batch each). The wake
 * loop decides when the next step runs: at once when behind, after the batch window when a batch was
 * applied, on a wake-up or the poll when idle, with backoff after an infrastructure error.
 */
export class ProjectionRunner {
  private readonly live: LiveTrack;
  private readonly rebuild: RebuildTrack;
  private readonly loop: WakeLoop;

  constructor(
    readonly projection: Projection,
    private readonly deps: RunnerDeps,
  ) {
    this.live = new LiveTrack(projection, deps);
    this.rebuild = new RebuildTrack(projection, deps);
    this.loop = new WakeLoop(() => this.step(), {
      onError: (e) => {
        // Another instance or an admin moved the checkpoint: reload it at once.
        if (e instanceof CheckpointMovedError) return false;
        this.deps.metrics?.errors.inc({ projection: this.projection.name, kind: 'transient' });
        this.deps.log('warn', 'projection step failed; retrying', { projection: this.projection.name, error: errorText(e) });
      },
    });
  }

  start(): void {
    this.loop.start();
  }

  /** Finishes the batch in flight (its transaction commits or rolls back) and returns. */
  stop(): Promise<void> {
    return this.loop.stop();
  }

  wake(): void {
    this.loop.wake();
  }

  private async step() {
    const cp = await this.deps.checkpoints.get(this.projection.name);
    if (!cp) throw new Error(`checkpoint row of ${this.projection.name} disappeared`);
    const live = cp.status === 'running' ? await this.live.step(cp) : undefined;
    const rebuild = RebuildTrack.wanted(cp) ? await this.rebuild.step(cp) : undefined;
    const progressed = !!live?.progressed || !!rebuild?.progressed;
    const behind = !!live?.behind || !!rebuild?.behind;
    if (!progressed) return { ms: this.deps.pollMs };
    if (!behind && this.deps.batchWindowMs) return { ms: this.deps.batchWindowMs, wakeable: false };
    return undefined;
  }
}
