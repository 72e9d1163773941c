import { decodeCursor, EventStore, ReadAllResult, RecordedEvent } from '@cave/event-store';
import type { SharedLog } from './shared-log';

/** One page for a track: the events to apply and where the checkpoint moves when they are applied. */
export interface Page {
  /** The events the projection asked for, in commit-safe order. */
  events: RecordedEvent[];
  /** The checkpoint after this page: past the last event and past any skipped rows behind it. */
  cursor: string;
  /** Global position of the row at `cursor` (the checkpoint's `position`). */
  position: number;
  /** A full page: more is waiting, so the next step follows at once. */
  full: boolean;
}

export interface PageReaderOptions {
  batchSize: number;
  /** Only these event types are read; the cursor still moves across the others (ADR 0006). */
  eventTypes?: readonly string[];
  /** `false`: payloads as stored, not upcast. */
  upcast?: boolean;
  /** The runtime's shared read of the newest rows (live tracks); a page behind it is read alone. */
  shared?: SharedLog;
}

/**
 * Reads a track's pages from the store, filtered by event type in SQL. When a page comes back full
 * (catch-up) the next one is read while the caller applies this one. A page read earlier stays valid:
 * commit-safe order guarantees nothing can later appear between a cursor and the rows read behind it
 * (ADR 0002), and a skipped-over stretch only ever holds final rows the filter does not want.
 */
export class PageReader {
  private ahead?: { after: string; page: Promise<ReadAllResult & { full: boolean }> };
  private readonly types?: string[];
  private readonly wanted?: ReadonlySet<string>;

  constructor(
    private readonly store: EventStore,
    private readonly opts: PageReaderOptions,
  ) {
    if (opts.eventTypes) {
      this.wanted = new Set(opts.eventTypes);
      // An empty list wants nothing: read unfiltered and drop everything, as the checkpoint must still move.
      if (opts.eventTypes.length > 0) this.types = [...opts.eventTypes];
    }
  }

  async read(after: string): Promise<Page> {
    const ahead = this.ahead;
    this.ahead = undefined;
    const result = ahead?.after === after ? await ahead.page : await this.fetch(after);
    const full = result.full;
    if (full) {
      const promise = this.fetch(result.cursor);
      promise.catch(() => undefined); // an unused or failed read-ahead is simply read again
      this.ahead = { after: result.cursor, page: promise };
    }
    const events = this.wanted && !this.types ? result.events.filter((e) => this.wanted!.has(e.type)) : result.events;
    return { events, cursor: result.cursor, position: Number(decodeCursor(result.cursor).globalPosition), full };
  }

  private async fetch(after: string): Promise<ReadAllResult & { full: boolean }> {
    const shared = await this.opts.shared?.read({ after, limit: this.opts.batchSize, types: this.wanted, upcast: this.opts.upcast !== false });
    if (shared) return shared;
    const result = await this.store.readAll({
      after,
      limit: this.opts.batchSize,
      filter: this.types ? { types: this.types } : undefined,
      skipFiltered: this.types !== undefined,
      upcast: this.opts.upcast,
    });
    return { ...result, full: result.events.length === this.opts.batchSize };
  }
}
