import { Checkpoint, errorText } from './checkpoint.store';
import { Page, PageReader } from './page-reader';
import { Projection, ProjectionContext } from './projection';
import { batchSizeOf, IDLE, projectionContext, RunnerDeps, TrackStep } from './runner-deps';
import { isTransient } from './transient';
import type { RecordedEvent } from '@cave/event-store';

/**
 * The live read model: the page after the checkpoint, applied with the checkpoint's compare-and-set in
 * one transaction, then the projection's after-commit effect. A batch that fails for its content is
 * re-applied event by event so the checkpoint stops exactly before the poison event (ADR 0006).
 */
export class LiveTrack {
  private readonly pages: PageReader;
  private readonly ctx: ProjectionContext;
  private lastHeadCheck = 0;
  /**
   * Rows read past and not wanted (a filtered projection), not yet written to the checkpoint: `from` is the
   * stored cursor it continues, `cursor`/`position` where reading goes on, `since` when the first skip of
   * this stretch happened. See `skipPersistMs`.
   */
  private skipped?: { from: string; cursor: string; position: number; since: number };
  /** What this step wrote to the checkpoint (the runner keeps its copy of the row current with it). */
  private written?: { cursor: string; position: number };

  constructor(
    private readonly projection: Projection,
    private readonly deps: RunnerDeps,
  ) {
    this.pages = new PageReader(deps.store, { batchSize: batchSizeOf(projection), eventTypes: projection.eventTypes, upcast: projection.upcast, shared: deps.sharedLog });
    this.ctx = projectionContext(projection, false);
  }

  private get name(): string {
    return this.projection.name;
  }

  async step(cp: Checkpoint): Promise<TrackStep> {
    this.written = undefined;
    const step = await this.stepFrom(cp);
    return this.written && step.stored === undefined ? { ...step, stored: this.written } : step;
  }

  private async stepFrom(cp: Checkpoint): Promise<TrackStep> {
    // A skip continues only the checkpoint it started from; anything else moved it (a rebuild's swap,
    // an admin action, another leader) and reading starts again from the stored cursor.
    if (this.skipped && this.skipped.from !== cp.cursor) this.skipped = undefined;
    const after = this.skipped?.cursor ?? cp.cursor;
    const page = await this.pages.read(after);
    if (page.cursor === after) {
      if (this.skipped && this.skipDue()) await this.persistSkip(cp.cursor);
      await this.reportLag(this.skipped?.position ?? cp.position);
      return IDLE;
    }
    if (page.events.length === 0 && !page.full && this.deps.skipPersistMs) {
      // Nothing wanted, only the cursor moves: keep it in memory and write it now and then, not per batch.
      this.skipped = { from: cp.cursor, cursor: page.cursor, position: page.position, since: this.skipped?.since ?? Date.now() };
      if (this.skipDue()) await this.persistSkip(cp.cursor);
      await this.reportLag(page.position);
      return { progressed: true, behind: false };
    }
    try {
      // From the stored cursor: the compare-and-set covers the rows skipped in memory too.
      await this.apply(cp.cursor, page);
      this.skipped = undefined;
    } catch (e) {
      if (isTransient(e)) throw e;
      await this.isolatePoison(cp.cursor, page.events);
      return { progressed: true, behind: page.full, stored: 'reload' };
    }
    await this.reportLag(page.position);
    return { progressed: true, behind: page.full };
  }

  private skipDue(): boolean {
    return Date.now() - this.skipped!.since >= this.deps.skipPersistMs!;
  }

  private async persistSkip(from: string): Promise<void> {
    const { cursor, position } = this.skipped!;
    await this.apply(from, { events: [], cursor, position });
    this.skipped = undefined;
  }

  private async apply(from: string, page: Pick<Page, 'events' | 'cursor' | 'position'>): Promise<void> {
    const { events } = page;
    // The checkpoint's compare-and-set opens the transaction, in the BEGIN's round trip (one fewer per batch).
    const advance = this.deps.checkpoints.advanceStatement(this.name, from, page.cursor, page.position);
    await this.deps.db.asAdmin(async (c, opened) => {
      this.deps.checkpoints.assertAdvanced(this.name, opened);
      if (events.length > 0) await this.projection.handle(events, c, this.ctx);
    }, advance);
    this.written = { cursor: page.cursor, position: page.position };
    if (events.length > 0 && this.projection.afterCommit) await this.afterCommit(events);
  }

  private async afterCommit(events: RecordedEvent[]): Promise<void> {
    try {
      await this.projection.afterCommit!(events);
    } catch (e) {
      this.deps.metrics?.errors.inc({ projection: this.name, kind: 'after_commit' });
      this.deps.log('warn', 'projection after-commit hook failed; the batch stays committed', { projection: this.name, error: errorText(e) });
    }
  }

  /**
   * The batch failed as a whole: apply it one event per transaction to commit everything before the
   * culprit and stop exactly at it, so the operator sees which event and retry/skip act on that one.
   * (Skipped rows behind the last event are simply scanned again by the next read.)
   */
  private async isolatePoison(from: string, events: RecordedEvent[]): Promise<void> {
    let at = from;
    for (const e of events) {
      try {
        await this.apply(at, { events: [e], cursor: e.cursor, position: e.globalPosition });
        at = e.cursor;
      } catch (err) {
        if (isTransient(err)) throw err;
        const message = errorText(err);
        await this.deps.checkpoints.markFailed(this.name, at, { position: e.globalPosition, cursor: e.cursor, eventId: e.eventId, type: e.type }, message);
        this.deps.metrics?.errors.inc({ projection: this.name, kind: 'poison' });
        this.deps.log('error', 'projection stopped at a failing event', {
          projection: this.name, globalPosition: e.globalPosition, eventId: e.eventId, eventType: e.type, error: message,
        });
        return;
      }
    }
    if (events.length > 0) this.deps.metrics?.position.set({ projection: this.name }, events[events.length - 1].globalPosition);
  }

  /** The head query is cheap (primary key max) but still rate-limited: lag is sampled about once a second. */
  private async reportLag(position: number): Promise<void> {
    const metrics = this.deps.metrics;
    if (!metrics) return;
    metrics.position.set({ projection: this.name }, position);
    const now = Date.now();
    if (now - this.lastHeadCheck < 1000) return;
    this.lastHeadCheck = now;
    const { rows } = await this.deps.db.admin.query<{ head: string }>('select coalesce(max(global_position), 0) as head from events');
    metrics.lag.set({ projection: this.name }, Math.max(0, Number(rows[0].head) - position));
  }
}
