import { compareCursors, decodeCursor, EventCursor, EventStore, RecordedEvent } from '@cave/event-store';

/** What a live track asks for: its cursor, how many events at most, which types, upcast or as stored. */
export interface SharedRead {
  after: string;
  limit: number;
  /** Only these types are returned; the cursor still moves over the others. Unset: every event. */
  types?: ReadonlySet<string>;
  upcast: boolean;
}

export interface SharedPage {
  events: RecordedEvent[];
  cursor: string;
  /** More is waiting behind `cursor`: the track's limit cut the page, or the shared read came back full. */
  full: boolean;
}

/** Rows per shared read (the largest live batch any projection takes by default). */
export const SHARED_READ_LIMIT = 1000;
/**
 * How much of the log's newest stretch stays in memory for tracks a little behind the head: windows are
 * dropped from the oldest end while more rows than this, or more windows than `RETAIN_WINDOWS`, are held.
 */
export const RETAIN_ROWS = 2 * SHARED_READ_LIMIT;
const RETAIN_WINDOWS = 64;

interface Window {
  /** Exclusive start: the cursor the read continued. */
  from: EventCursor;
  /** Every row after `from` up to and including `to`, as stored, in commit-safe order. */
  rows: RecordedEvent[];
  cursors: EventCursor[];
  to: EventCursor;
  toText: string;
  full: boolean;
}

/**
 * One read of the log's newest rows for all live tracks of a runtime (issue 18). Under a steady stream every
 * projection steps once per batch window and each used to read the same new rows itself (a round trip and a
 * parse each). Now the first track that has consumed what is known reads the next window (as stored, not
 * upcast, unfiltered), and every track whose cursor lies inside the retained stretch is served from memory:
 * filtered, upcast if it wants that, cut at its limit.
 *
 * The retained stretch is a chain of windows, each starting exactly where the one before it ended, so it holds
 * every row from the oldest window's `from` to the newest one's `to`. Keeping only the newest window sent
 * every track that had not yet consumed the one before it (it steps a moment later than the leader, whose
 * next read, often empty, replaced that window) to a read of its own: under the http benchmark's creations
 * 1.5 of the 3.5 reads of each event were such reads.
 *
 * Gap-safe for the reason the read-ahead is (ADR 0006): a window holds every row after `from` up to `to`,
 * and `to` is a final row (its transaction is older than the read's xmin horizon), so any transaction that
 * commits later has a larger xid and sorts behind `to`. Nothing can ever appear inside a window after it was
 * read, so serving it later, to a track at any cursor between `from` and `to`, returns what that track's own
 * read would have returned then, or more. A track behind the stretch (catch-up) reads alone, as before.
 * Served events are shared between projections: `handle` must not mutate them.
 */
export class SharedLog {
  /** Contiguous: `chain[i + 1].from` equals `chain[i].to`. Oldest first. */
  private chain: Window[] = [];
  private fetching?: { after: string; page: Promise<Window> };

  constructor(private readonly store: EventStore) {}

  /** The page for `req`, or `undefined` when `req.after` lies behind the retained stretch: the track reads alone. */
  async read(req: SharedRead): Promise<SharedPage | undefined> {
    const after = decodeCursor(req.after);
    const i = this.windowOf(after);
    if (i >= 0) return serve(this.store, this.chain, i, after, req);
    if (this.chain.length > 0 && compareCursors(after, this.chain[0].from) < 0) return undefined;
    // The track has consumed everything known (or nothing is known yet): the next window, read from its
    // cursor and shared with every track that asks for the same while it is being read.
    const w = await this.next(req.after);
    const j = this.chain.indexOf(w);
    return j >= 0 ? serve(this.store, this.chain, j, after, req) : serve(this.store, [w], 0, after, req);
  }

  /** Index of the window whose rows continue `after` (`from <= after < to`), or -1. */
  private windowOf(after: EventCursor): number {
    for (let i = this.chain.length - 1; i >= 0; i--) {
      const w = this.chain[i];
      if (compareCursors(after, w.from) >= 0) return compareCursors(after, w.to) < 0 ? i : -1;
    }
    return -1;
  }

  private next(after: string): Promise<Window> {
    if (this.fetching?.after === after) return this.fetching.page;
    const page = this.fetch(after).finally(() => {
      if (this.fetching?.page === page) this.fetching = undefined;
    });
    this.fetching = { after, page };
    return page;
  }

  private async fetch(after: string): Promise<Window> {
    const res = await this.store.readAll({ after, limit: SHARED_READ_LIMIT, upcast: false });
    const w: Window = {
      from: decodeCursor(after),
      rows: res.events,
      cursors: res.events.map((e) => decodeCursor(e.cursor)),
      to: decodeCursor(res.cursor),
      toText: res.cursor,
      full: res.events.length === SHARED_READ_LIMIT,
    };
    this.retain(w);
    return w;
  }

  /** Appends `w` when it continues the chain; a window from elsewhere that reaches further starts a new chain. */
  private retain(w: Window): void {
    if (compareCursors(w.to, w.from) === 0) return; // nothing read and the cursor did not move: nothing to keep
    const newest = this.chain[this.chain.length - 1];
    if (newest && compareCursors(w.from, newest.to) === 0) this.chain.push(w);
    else if (!newest || compareCursors(w.to, newest.to) > 0) this.chain = [w];
    else return;
    let rows = this.chain.reduce((n, x) => n + x.rows.length, 0);
    while (this.chain.length > 1 && (rows > RETAIN_ROWS || this.chain.length > RETAIN_WINDOWS)) rows -= this.chain.shift()!.rows.length;
  }
}

/** The track's page from window `i` on, continuing through the later windows of `chain` up to its limit. */
function serve(store: EventStore, chain: readonly Window[], i: number, after: EventCursor, req: SharedRead): SharedPage {
  const events: RecordedEvent[] = [];
  let k = firstAfter(chain[i].cursors, after);
  for (; i < chain.length; i++, k = 0) {
    const w = chain[i];
    for (; k < w.rows.length; k++) {
      const e = w.rows[k];
      if (req.types && !req.types.has(e.type)) continue;
      if (events.length === req.limit) return { events, cursor: events[events.length - 1].cursor, full: true };
      events.push(req.upcast ? store.upcast(e) : e);
    }
  }
  // Every row up to the newest `to` was looked at: the cursor moves there, over the rows the track does not want.
  const last = chain[chain.length - 1];
  const cursor = compareCursors(after, last.to) === 0 ? req.after : last.toText;
  return { events, cursor, full: last.full };
}

/** Index of the first row whose cursor is after `after` (binary search: the rows are in cursor order). */
function firstAfter(cursors: EventCursor[], after: EventCursor): number {
  let lo = 0;
  let hi = cursors.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (compareCursors(cursors[mid], after) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
