import { compareCursors, decodeCursor, Database, encodeCursor, EventCursor, EventStore, RecordedEvent, START } from '@cave/event-store';

export type TailListener = (events: RecordedEvent[], cursor: EventCursor) => void;

export interface EventTailOptions {
  /** Safety-net poll period: delivery continues (slower) when wake-ups stop, e.g. during failover. */
  pollMs: number;
  batchSize?: number;
  /** A read failed; `failedReads` counts this outage's failures so far. */
  onError?: (e: unknown, failedReads: number) => void;
  /** Reads work again after `failedReads` failures over `downMs`. */
  onRecover?: (failedReads: number, downMs: number) => void;
}

const MAX_RETRY_MS = 50;
/** After a failed read (database down) the next waits 100 ms, doubling to 5 s; wake-ups do not shorten it. */
const ERROR_RETRY_MIN_MS = 100;
const ERROR_RETRY_MAX_MS = 5_000;

/**
 * One per instance: reads every committed event from the table in commit-safe order (ADR 0002)
 * and hands each batch to the listeners, exactly once and in order. The WAL only says *when* to
 * read (`wake`); *what* is delivered always comes from `events` below the xmin horizon, so no
 * event is skipped when transactions commit out of position order, and losing the slot or a
 * wake-up can delay delivery but never lose an event.
 */
export class EventTail {
  private position: EventCursor = START;
  /** Highest cursor some wake-up promised is committed; reads repeat until the tail passes it. */
  private owed?: EventCursor;
  private reading = false;
  private again = false;
  private retryMs = 1;
  private retryTimer?: NodeJS.Timeout;
  private failedReads = 0;
  private failingSince = 0;
  private errorRetryMs = 0;
  private pollTimer?: NodeJS.Timeout;
  private running = false;
  private readonly listeners: TailListener[] = [];

  constructor(
    private readonly db: Database,
    private readonly store: EventStore,
    private readonly opts: EventTailOptions,
  ) {}

  /** Everything after this cursor will be delivered to listeners. */
  get cursor(): EventCursor {
    return this.position;
  }

  onBatch(listener: TailListener): void {
    this.listeners.push(listener);
  }

  /** Starts at the newest event that is already final: subscribers older than now catch up from the table. */
  async start(): Promise<void> {
    const { rows } = await this.db.admin.query<{ xid: string; pos: string }>(
      `select transaction_id::text as xid, global_position::text as pos from events
       where transaction_id < pg_snapshot_xmin(pg_current_snapshot())
       order by transaction_id desc, global_position desc limit 1`,
    );
    this.position = rows.length === 0 ? START : { transactionId: BigInt(rows[0].xid), globalPosition: BigInt(rows[0].pos) };
    this.running = true;
    this.setPollInterval(this.opts.pollMs);
  }

  setPollInterval(ms: number): void {
    this.opts.pollMs = ms;
    if (this.pollTimer) clearInterval(this.pollTimer);
    if (!this.running) return;
    this.pollTimer = setInterval(() => this.wake(), ms);
    this.pollTimer.unref();
  }

  /** Something committed (up to `target`, when known): read now, coalescing concurrent wake-ups. */
  wake(target?: string | EventCursor): void {
    if (!this.running) return;
    if (target !== undefined) {
      const t = typeof target === 'string' ? safeDecode(target) : target;
      if (t && (!this.owed || compareCursors(t, this.owed) > 0)) this.owed = t;
    }
    if (this.reading) {
      this.again = true;
      return;
    }
    // The database is failing: only the backoff timer reads next, or every commit wake-up and poll
    // would hit the dead server again (and log).
    if (this.failedReads > 0 && this.retryTimer) return;
    void this.drain();
  }

  stop(): void {
    this.running = false;
    if (this.pollTimer) clearInterval(this.pollTimer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
  }

  private async drain(): Promise<void> {
    this.reading = true;
    if (this.retryTimer) {
      clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
    }
    let progressed = false;
    let failed = false;
    try {
      do {
        this.again = false;
        const batch = this.opts.batchSize ?? 1000;
        const res = await this.store.readAll({ after: encodeCursor(this.position), limit: batch });
        if (res.events.length > 0) {
          progressed = true;
          this.position = decodeCursor(res.cursor);
          for (const l of this.listeners) l(res.events, this.position);
          if (res.events.length === batch) this.again = true;
        }
      } while (this.again && this.running);
    } catch (e) {
      failed = true;
      if (this.failedReads++ === 0) this.failingSince = Date.now();
      this.opts.onError?.(e, this.failedReads);
    } finally {
      this.reading = false;
    }
    if (failed) return this.scheduleErrorRetry();
    if (this.failedReads > 0) {
      this.opts.onRecover?.(this.failedReads, Date.now() - this.failingSince);
      this.failedReads = 0;
      this.errorRetryMs = 0;
    }
    this.scheduleRetry(progressed);
  }

  private scheduleErrorRetry(): void {
    if (!this.running) return;
    this.errorRetryMs = Math.min(Math.max(this.errorRetryMs * 2, ERROR_RETRY_MIN_MS), ERROR_RETRY_MAX_MS);
    this.setRetryTimer(this.errorRetryMs);
  }

  private setRetryTimer(ms: number): void {
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.wake();
    }, ms);
    this.retryTimer.unref();
  }

  /**
   * A commit we were told about is not readable yet: an older transaction still runs (the xmin
   * horizon holds it back), or the committing backend has not left the proc array yet. Retry
   * with a short backoff instead of waiting for the next poll.
   */
  private scheduleRetry(progressed: boolean): void {
    if (!this.running || !this.owed || compareCursors(this.position, this.owed) >= 0) {
      if (this.owed && compareCursors(this.position, this.owed) >= 0) this.owed = undefined;
      this.retryMs = 1;
      return;
    }
    this.retryMs = progressed ? 1 : Math.min(this.retryMs * 2, MAX_RETRY_MS);
    this.setRetryTimer(this.retryMs);
  }
}

function safeDecode(raw: string): EventCursor | undefined {
  try {
    return decodeCursor(raw);
  } catch {
    return undefined;
  }
}
