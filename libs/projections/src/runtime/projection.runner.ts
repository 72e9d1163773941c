import { WakeLoop } from '@cave/event-store';
import { Checkpoint, CheckpointMovedError, errorText } from './checkpoint.store';
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
  /**
   * The checkpoint row as of the last read, kept up to date with what the live track commits, so a step
   * does not read it again: a round trip per step and projection. Used only while the projection runs
   * with no rebuild wanted, for at most `pollMs`; dropped on any error (a moved checkpoint fails the next
   * compare-and-set) and on a control wake-up (an admin's retry, skip or rebuild request NOTIFY).
   */
  private known?: { cp: Checkpoint; readAt: number };
  /** Bumped by `reload`: a read that was in flight meanwhile may predate the change and is not kept. */
  private generation = 0;

  constructor(
    readonly projection: Projection,
    private readonly deps: RunnerDeps,
  ) {
    this.live = new LiveTrack(projection, deps);
    this.rebuild = new RebuildTrack(projection, deps);
    this.loop = new WakeLoop(() => this.step(), {
      onError: (e) => {
        this.known = undefined;
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

  /** The checkpoint row changed outside this runner (an admin action): read it again before the next step. */
  reload(): void {
    this.known = undefined;
    this.generation++;
    this.loop.wake();
  }

  private async checkpoint(): Promise<Checkpoint> {
    const known = this.known;
    if (known && Date.now() - known.readAt < this.deps.pollMs) return known.cp;
    const generation = this.generation;
    const readAt = Date.now();
    const cp = await this.deps.checkpoints.get(this.projection.name);
    if (!cp) throw new Error(`checkpoint row of ${this.projection.name} disappeared`);
    const keep = generation === this.generation && cp.status === 'running' && !RebuildTrack.wanted(cp);
    this.known = keep ? { cp, readAt } : undefined;
    return cp;
  }

  private async step() {
    const cp = await this.checkpoint();
    const live = cp.status === 'running' ? await this.live.step(cp) : undefined;
    if (live?.stored === 'reload') this.known = undefined;
    else if (live?.stored && this.known) this.known = { ...this.known, cp: { ...this.known.cp, ...live.stored } };
    const rebuild = RebuildTrack.wanted(cp) ? await this.rebuild.step(cp) : undefined;
    const progressed = !!live?.progressed || !!rebuild?.progressed;
    const behind = !!live?.behind || !!rebuild?.behind;
    if (!progressed) return { ms: this.deps.pollMs };
    if (!behind && this.deps.batchWindowMs) return { ms: this.deps.batchWindowMs, wakeable: false };
    return undefined;
  }
}
