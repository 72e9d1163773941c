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
 * parse each). Now the first track that has consumed the current window reads the next one (as stored, not
 * upcast, unfiltered), and every track whose cursor lies inside it is served from memory: filtered, upcast if
 * it wants that, cut at its limit.
 *
 * Gap-safe for the reason the read-ahead is (ADR 0006): the window holds every row after `from` up to `to`,
 * and `to` is a final row (its transaction is older than the read's xmin horizon), so any transaction that
 * commits later has a larger xid and sorts behind `to`. Nothing can ever appear inside a window after it was
 * read, so serving it later, to a track at any cursor between `from` and `to`, returns what that track's own
 * read would have returned then, or more. A track behind the window (catch-up) reads alone, as before.
 * Served events are shared between projections: `handle` must not mutate them.
 */
export class SharedLog {
  private window?: Window;
  private fetching?: { after: string; page: Promise<Window> };

  constructor(private readonly store: EventStore) {}

  /** The page for `req`, or `undefined` when `req.after` lies behind the window: the track reads alone. */
  async read(req: SharedRead): Promise<SharedPage | undefined> {
    const after = decodeCursor(req.after);
    const w = this.window;
    if (w && compareCursors(after, w.from) >= 0 && compareCursors(after, w.to) < 0) return serve(this.store, w, after, req);
    if (w && compareCursors(after, w.from) < 0) return undefined;
    // The track has consumed everything known (or nothing is known yet): the next window, read from its
    // cursor and shared with every track that asks for the same while it is being read.
    return serve(this.store, await this.next(req.after), after, req);
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
    const from = decodeCursor(after);
    const w: Window = {
      from,
      rows: res.events,
      cursors: res.events.map((e) => decodeCursor(e.cursor)),
      to: decodeCursor(res.cursor),
      toText: res.cursor,
      full: res.events.length === SHARED_READ_LIMIT,
    };
    // Keep the newest window: tracks at the head move on to it; one that fell behind reads alone.
    if (!this.window || compareCursors(w.to, this.window.to) >= 0) this.window = w;
    return w;
  }
}

function serve(store: EventStore, w: Window, after: EventCursor, req: SharedRead): SharedPage {
  let i = firstAfter(w.cursors, after);
  const events: RecordedEvent[] = [];
  for (; i < w.rows.length; i++) {
    const e = w.rows[i];
    if (req.types && !req.types.has(e.type)) continue;
    if (events.length === req.limit) return { events, cursor: events[events.length - 1].cursor, full: true };
    events.push(req.upcast ? store.upcast(e) : e);
  }
  // Every row up to `to` was looked at: the cursor moves there, over the rows the track does not want.
  const cursor = compareCursors(after, w.to) === 0 ? req.after : w.toText;
  return { events, cursor, full: w.full };
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
