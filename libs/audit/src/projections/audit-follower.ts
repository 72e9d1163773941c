import { Database, EventStore } from '@cave/event-store';
import { AuditBatchResult, AuditWriter } from './audit-writer';

export interface FollowerOptions {
  batchSize?: number;
  /** How often to look for events appended by other instances when idle. */
  idleMs?: number;
  onBatch?: (result: AuditBatchResult) => Promise<void> | void;
  onError?: (e: unknown) => void;
  /** Called when a poll found nothing new (e.g. to let the file catch up with other instances). */
  onIdle?: () => Promise<void> | void;
}

/**
 * Feeds the audit writer from the event store in commit-safe order, resuming from the log's own
 * tip (the last entry's cursor), one transaction per batch. Stands in for the projection runtime
 * until the audit writer runs as a projector there; the writer's advisory lock keeps several
 * instances from interleaving.
 */
export class AuditFollower {
  private stopped = true;
  private wake?: () => void;
  private loop?: Promise<void>;

  constructor(
    private readonly store: EventStore,
    private readonly db: Database,
    private readonly writer: AuditWriter,
    private readonly opts: FollowerOptions = {},
  ) {
    store.onAppend(() => this.wake?.());
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
  }

  /** Audits everything that is safe to read now; returns the number of entries written. */
  async catchUp(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.step();
      if (n === 0) return total;
      total += n;
    }
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      let n = 0;
      try {
        n = await this.step();
        if (n === 0) await this.opts.onIdle?.();
      } catch (e) {
        this.opts.onError?.(e);
      }
      if (n === 0 && !this.stopped) {
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, this.opts.idleMs ?? 200);
          this.wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
        this.wake = undefined;
      }
    }
  }

  private async step(): Promise<number> {
    const tip = await this.db.asAdmin(async (c) => (await c.query<{ cursor: string }>('select event_cursor as cursor from audit_log order by seq desc limit 1')).rows[0]?.cursor);
    const { events } = await this.store.readAll({ after: tip, limit: this.opts.batchSize ?? 1000 });
    if (events.length === 0) return 0;
    const result = await this.db.asAdmin((c) => this.writer.applyBatch(events, c));
    await this.opts.onBatch?.(result);
    return result.entries.length;
  }
}
