import type { PoolClient } from 'pg';
import { Database, EventStore, ReadAllResult, RecordedEvent } from '@cave/event-store';
import { Checkpoint, CheckpointMovedError, CheckpointStore, errorText } from './checkpoint.store';
import { Projection, ProjectionContext } from './projection';
import { ProjectionMetrics } from './projection.metrics';
import { isTransient } from './transient';

export type ProjectionLogger = (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;

export interface RunnerDeps {
  db: Database;
  store: EventStore;
  checkpoints: CheckpointStore;
  metrics?: ProjectionMetrics;
  log: ProjectionLogger;
  /** Safety-net poll when no wake-up arrives. */
  pollMs: number;
  /**
   * After a live batch that was not full, wait this long before the next one, so a steady stream of appends
   * is applied in batches of this many milliseconds instead of a transaction per wake-up (each costs several
   * round trips). 0 = follow every wake-up at once. Catch-up (full pages) never waits.
   */
  batchWindowMs?: number;
}

const quote = (t: string) => `"${t.replace(/"/g, '""')}"`;
const MAX_BACKOFF_MS = 5_000;

/**
 * Drives one projection while this instance leads it: catch up from the checkpoint in batches,
 * each batch and its checkpoint in one transaction; interleave a requested rebuild into shadow
 * tables and swap them in when the shadow reaches the head. Stops itself on a poison event.
 */
export class ProjectionRunner {
  private stopped = false;
  private pendingWake = false;
  private wakeUp?: () => void;
  private loopDone?: Promise<void>;
  private backoffMs = 0;
  /** Whether the last step read a full page (live or rebuild): behind, so the next step follows at once. */
  private behind = false;
  private lastHeadCheck = 0;
  private rebuildClock?: { startedAt: number; events: number };
  private readonly readAhead: Record<'live' | 'rebuild', { after: string; page: Promise<ReadAllResult> } | undefined> = { live: undefined, rebuild: undefined };
  private readonly types?: ReadonlySet<string>;
  private readonly batchSize: number;
  private readonly live: ProjectionContext;
  private readonly shadow: ProjectionContext;

  constructor(
    readonly projection: Projection,
    private readonly deps: RunnerDeps,
  ) {
    this.types = projection.eventTypes ? new Set(projection.eventTypes) : undefined;
    this.batchSize = Math.min(Math.max(projection.batchSize ?? 1000, 1), 10_000);
    const tables = new Set(projection.tables ?? []);
    const ctx = (suffix: string, rebuilding: boolean): ProjectionContext => ({
      rebuilding,
      table: (name) => {
        if (!tables.has(name)) throw new Error(`projection ${projection.name} does not own table ${name}`);
        return quote(name + suffix);
      },
    });
    this.live = ctx('', false);
    this.shadow = ctx('__shadow', true);
  }

  start(): void {
    this.loopDone = this.loop();
  }

  /** Finishes the batch in flight (its transaction commits or rolls back) and returns. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake();
    await this.loopDone;
  }

  wake(): void {
    this.pendingWake = true;
    this.wakeUp?.();
  }

  private get name(): string {
    return this.projection.name;
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      try {
        const progressed = await this.step();
        this.backoffMs = 0;
        if (!progressed) await this.sleep(this.deps.pollMs);
        else if (!this.behind && this.deps.batchWindowMs) await this.sleep(this.deps.batchWindowMs, false);
      } catch (e) {
        if (this.stopped) break;
        if (!(e instanceof CheckpointMovedError)) {
          this.deps.metrics?.errors.inc({ projection: this.name, kind: 'transient' });
          this.deps.log('warn', 'projection step failed; retrying', { projection: this.name, error: errorText(e) });
          this.backoffMs = Math.min(Math.max(this.backoffMs * 2, 100), MAX_BACKOFF_MS);
          await this.sleep(this.backoffMs, false);
        }
      }
    }
  }

  private sleep(ms: number, wakeable = true): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (wakeable && this.pendingWake) {
      this.pendingWake = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        this.pendingWake = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeUp = wakeable ? done : () => (this.stopped ? done() : undefined);
    });
  }

  /** One unit of work; false when there was nothing to do. */
  private async step(): Promise<boolean> {
    const cp = await this.deps.checkpoints.get(this.name);
    if (!cp) throw new Error(`checkpoint row of ${this.name} disappeared`);
    this.behind = false;
    let progressed = false;
    if (cp.status === 'running') progressed = await this.liveStep(cp);
    if (cp.rebuildStatus === 'requested' || cp.rebuildStatus === 'running') {
      progressed = (await this.rebuildStep(cp)) || progressed;
    }
    return progressed;
  }

  /**
   * The page after `after`, reading the following page ahead while the caller applies this one when
   * the page came back full (catch-up). A page read earlier stays valid: commit-safe order guarantees
   * nothing can later appear between a cursor and the rows read behind it (ADR 0002).
   */
  private async read(track: 'live' | 'rebuild', after: string): Promise<ReadAllResult> {
    const ahead = this.readAhead[track];
    this.readAhead[track] = undefined;
    const page = ahead?.after === after ? await ahead.page : await this.deps.store.readAll({ after, limit: this.batchSize });
    if (page.events.length === this.batchSize) {
      const next = page.cursor;
      const promise = this.deps.store.readAll({ after: next, limit: this.batchSize });
      promise.catch(() => undefined); // an unused or failed read-ahead is simply read again
      this.readAhead[track] = { after: next, page: promise };
    }
    return page;
  }

  private relevant(events: RecordedEvent[]): RecordedEvent[] {
    return this.types ? events.filter((e) => this.types!.has(e.type)) : events;
  }

  private async liveStep(cp: Checkpoint): Promise<boolean> {
    const page = await this.read('live', cp.cursor);
    if (page.events.length === this.batchSize) this.behind = true;
    if (page.events.length === 0) {
      await this.reportLag(cp.position);
      return false;
    }
    const last = page.events[page.events.length - 1];
    try {
      await this.applyLive(cp.cursor, page.events);
    } catch (e) {
      if (isTransient(e)) throw e;
      await this.isolatePoison(cp.cursor, page.events);
      return true;
    }
    this.deps.metrics?.position.set({ projection: this.name }, last.globalPosition);
    await this.reportLag(last.globalPosition);
    return true;
  }

  private async applyLive(from: string, events: RecordedEvent[]): Promise<void> {
    const last = events[events.length - 1];
    const relevant = this.relevant(events);
    await this.deps.db.asAdmin(async (c) => {
      if (relevant.length > 0) await this.projection.handle(relevant, c, this.live);
      await this.deps.checkpoints.advance(c, this.name, from, last.cursor, last.globalPosition);
    });
    if (relevant.length > 0 && this.projection.afterCommit) await this.afterCommit(relevant);
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
   */
  private async isolatePoison(from: string, events: RecordedEvent[]): Promise<void> {
    let at = from;
    for (const e of events) {
      try {
        await this.applyLive(at, [e]);
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
    this.deps.metrics?.position.set({ projection: this.name }, events[events.length - 1].globalPosition);
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

  private async rebuildStep(cp: Checkpoint): Promise<boolean> {
    const tables = this.projection.tables ?? [];
    if (this.projection.rebuildable === false) {
      await this.deps.checkpoints.failRebuild(this.name, `projection ${this.name} is append-only (rebuildable: false); rebuild refused, nothing was dropped or rewritten`);
      this.deps.log('warn', 'refused a rebuild of an append-only projection', { projection: this.name });
      return true;
    }
    if (tables.length === 0) {
      await this.deps.checkpoints.failRebuild(this.name, 'projection declares no tables; it cannot be rebuilt');
      return true;
    }
    if (cp.rebuildStatus === 'requested') {
      await this.deps.db.asAdmin(async (c) => {
        for (const t of tables) await c.query('select cave_projection_create_shadow($1)', [t]);
        await this.projection.prepareShadow?.(c, this.shadow);
        await this.deps.checkpoints.startRebuild(c, this.name);
      });
      this.rebuildClock = { startedAt: Date.now(), events: 0 };
      this.deps.log('info', 'rebuild started', { projection: this.name });
      return true;
    }
    const from = cp.rebuildCursor ?? '0:0';
    const page = await this.read('rebuild', from);
    // A rebuild copies history as fast as it can: full pages never wait for the batch window.
    if (page.events.length === this.batchSize) this.behind = true;
    if (page.events.length === 0) {
      await this.swap(tables, from);
      return true;
    }
    const last = page.events[page.events.length - 1];
    this.rebuildClock ??= { startedAt: Date.now(), events: 0 };
    this.rebuildClock.events += page.events.length;
    const rate = this.rebuildClock.events / Math.max((Date.now() - this.rebuildClock.startedAt) / 1000, 0.001);
    try {
      await this.deps.db.asAdmin(async (c) => {
        const relevant = this.relevant(page.events);
        if (relevant.length > 0) await this.projection.handle(relevant, c, this.shadow);
        await this.deps.checkpoints.advanceRebuild(c, this.name, from, last.cursor, last.globalPosition, page.events.length, rate);
      });
    } catch (e) {
      if (isTransient(e)) throw e;
      await this.abandonRebuild(tables, e);
      return true;
    }
    this.deps.metrics?.rebuildPosition.set({ projection: this.name }, last.globalPosition);
    return true;
  }

  /**
   * Shadow reached the head: in one transaction the shadow replaces the live table and its cursor
   * becomes the live checkpoint. Events appended meanwhile are simply next for the live loop.
   */
  private async swap(tables: readonly string[], shadowCursor: string): Promise<void> {
    await this.deps.db.asAdmin(async (c: PoolClient) => {
      // Readers of the live table hold it briefly; don't queue behind a long one forever.
      await c.query(`set local lock_timeout = '5s'`);
      for (const t of tables) await c.query('select cave_projection_swap($1)', [t]);
      await this.deps.checkpoints.completeRebuild(c, this.name, shadowCursor, this.projection.version);
    });
    this.rebuildClock = undefined;
    this.deps.log('info', 'rebuild swapped in', { projection: this.name, cursor: shadowCursor });
  }

  private async abandonRebuild(tables: readonly string[], e: unknown): Promise<void> {
    const message = errorText(e);
    await this.deps.checkpoints.failRebuild(this.name, message);
    await this.deps.db.asAdmin(async (c) => {
      for (const t of tables) await c.query('select cave_projection_drop_shadow($1)', [t]);
    });
    this.rebuildClock = undefined;
    this.deps.metrics?.errors.inc({ projection: this.name, kind: 'rebuild' });
    this.deps.log('error', 'rebuild failed; the live read model is untouched', { projection: this.name, error: message });
  }
}
