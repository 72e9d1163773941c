import type { PoolClient } from 'pg';
import type { Database } from '../database/database';
import { compareCursors, decodeCursor, encodeCursor, EventCursor, START } from './event-cursor';
import { EVENT_COLUMNS, EventRow, toRecordedEvent } from './event-row.mapper';
import { RecordedEvent } from './event.types';
import type { UpcasterRegistry } from './upcaster-registry';

export interface ReadAllFilter {
  namespace?: string;
  streamId?: string;
  streamType?: string;
  types?: string[];
  /** metadata.actor (the API key id that caused the event). */
  actor?: string;
  correlationId?: string;
  causationId?: string;
  eventId?: string;
  /** recorded_at bounds, both inclusive. */
  recordedFrom?: Date;
  recordedTo?: Date;
}

export interface ReadAllOptions {
  /** A cursor from a previous read, or a global position (continue behind that event). */
  after?: string | number;
  limit?: number;
  filter?: ReadAllFilter;
  /** Read as the runtime role scoped to this namespace instead of as the admin role. */
  scope?: string;
  /**
   * For a follower that filters (by type): when the page is not full, `cursor` moves past the rows the
   * filter dropped, up to the newest final row (below the xmin horizon), so a checkpoint advances over
   * events nobody asked for without reading them. Gap-safe: every matching final row up to there was
   * returned, and rows that are not final yet sort behind it (ADR 0002). Not with a time range.
   */
  skipFiltered?: boolean;
  /** `false`: payloads exactly as stored, without upcasting (what the audit log digests). */
  upcast?: boolean;
}

export interface ReadAllResult {
  events: RecordedEvent[];
  /** Where the next read continues; equals the input when nothing new was safe to read. */
  cursor: string;
}

const MAX_BATCH = 10_000;
/** Events read in commit order before a time-range read falls back to the recorded_at index. */
const TIME_SCAN_BUDGET = 2_000;

/** A pool or a checked-out client: anything that runs one statement. */
type Queryable = Pick<PoolClient, 'query'>;

/**
 * The next batch in commit-safe global order after `after`: ordered by (transaction_id, global_position)
 * and never a row of a transaction that might still be in flight, so a follower can't skip an event
 * that commits late with a lower position.
 */
export async function readAll(db: Database, upcasters: UpcasterRegistry, opts: ReadAllOptions = {}): Promise<ReadAllResult> {
  const limit = Math.min(Math.max(opts.limit ?? 1000, 1), MAX_BATCH);
  const run = async (c: Queryable): Promise<ReadAllResult> => {
    const from = await resolveAfter(c, opts.after);
    const params: unknown[] = [from.transactionId.toString(), from.globalPosition.toString()];
    const conds = [
      '(transaction_id, global_position) > ($1::text::xid8, $2::bigint)',
      // Rows of transactions older than the oldest one still running are final: nothing can
      // commit later and sort before them.
      'transaction_id < pg_snapshot_xmin(pg_current_snapshot())',
    ];
    const add = (sql: string, v: unknown) => {
      params.push(v);
      conds.push(sql.replace('?', `$${params.length}`));
    };
    const f = opts.filter ?? {};
    if (f.namespace !== undefined) add('namespace = ?', f.namespace);
    if (f.streamId !== undefined) add('stream_id = ?', f.streamId);
    if (f.streamType !== undefined) add('stream_type = ?', f.streamType);
    if (f.types !== undefined && f.types.length > 0) add('event_type = any(?)', f.types);
    if (f.actor !== undefined) add("metadata->>'actor' = ?", f.actor);
    if (f.correlationId !== undefined) add("metadata->>'correlationId' = ?", f.correlationId);
    if (f.causationId !== undefined) add("metadata->>'causationId' = ?", f.causationId);
    if (f.eventId !== undefined) add('event_id = ?::uuid', f.eventId);
    if (f.recordedFrom !== undefined) add('recorded_at >= ?', f.recordedFrom);
    if (f.recordedTo !== undefined) add('recorded_at <= ?', f.recordedTo);
    const filtered = conds.length > 2;
    params.push(limit);
    const where = conds.join(' and ');
    const ordered = `select ${EVENT_COLUMNS} from events where ${where} order by transaction_id, global_position limit $${params.length}`;
    const timed = f.recordedFrom !== undefined || f.recordedTo !== undefined;
    if (opts.skipFiltered && timed) throw new Error('readAll: skipFiltered does not combine with a time range');
    const skipping = opts.skipFiltered === true && filtered;
    const read = skipping ? await readSkipping(c, where, params) : { rows: timed ? await readTimeRange(c, conds, params, limit) : (await c.query<EventRow>(ordered, params)).rows };
    const events = read.rows.map((r) => (opts.upcast === false ? toRecordedEvent(r) : upcasters.upcast(toRecordedEvent(r))));
    let cursor = events.length > 0 ? decodeCursor(events[events.length - 1].cursor) : from;
    if (events.length < limit && read.horizon && compareCursors(read.horizon, cursor) > 0) cursor = read.horizon;
    return { events, cursor: encodeCursor(cursor) };
  };
  if (opts.scope !== undefined) return db.tenant(opts.scope, run);
  // Unscoped reads need no transaction (no namespace to pin; each statement is atomic on its own):
  // one round trip instead of three, which followers such as the realtime tail do per wake-up.
  // Straight on the pool: it handles a connection that dies mid-query (a checked-out client
  // without an 'error' listener would crash the process).
  return run(db.admin);
}

/**
 * The page and the newest final row, in one statement so both see the same snapshot and horizon: with
 * two, a row committed between them below the later horizon could be skipped without being read.
 * `where` and `params` are the full filter with the limit as last parameter.
 */
async function readSkipping(c: Queryable, where: string, params: unknown[]): Promise<{ rows: EventRow[]; horizon?: EventCursor }> {
  const { rows } = await c.query<EventRow & { sort_xid: string | null; horizon_xid: string | null; horizon_pos: string | null }>(
    `select p.*, h.xid as horizon_xid, h.pos as horizon_pos
       from (select 1) one
       left join (select transaction_id::text as xid, global_position::text as pos from events
                   where transaction_id < pg_snapshot_xmin(pg_current_snapshot())
                   order by transaction_id desc, global_position desc limit 1) h on true
       left join lateral (select ${EVENT_COLUMNS}, transaction_id as sort_xid from events where ${where}
                           order by transaction_id, global_position limit $${params.length}) p on true
      order by p.sort_xid, p.global_position`,
    params,
  );
  const head = rows[0];
  const horizon = head?.horizon_xid != null ? { transactionId: BigInt(head.horizon_xid), globalPosition: BigInt(head.horizon_pos!) } : undefined;
  return { rows: rows.filter((r) => r.global_position !== null), horizon };
}

/**
 * A time range matches one contiguous stretch of the append-only table, often far from the cursor. The
 * planner, assuming matches are spread evenly, would walk the commit-order index from the cursor and
 * filter, reading up to the whole log. So: first look at the next TIME_SCAN_BUDGET events in commit
 * order (enough when the range starts near the cursor); if they hold fewer than a page of matches, let
 * the BRIN index on recorded_at find the matching pages, order only their (xid, position) keys (the
 * `offset 0` fence stops the planner from turning it back into an index walk) and fetch the page's rows.
 * `conds` and `params` are the full filter with the limit as last parameter.
 */
async function readTimeRange(c: Queryable, conds: string[], params: unknown[], limit: number): Promise<EventRow[]> {
  const where = conds.join(' and ');
  const near = await c.query<EventRow>(
    `select * from (select ${EVENT_COLUMNS}, transaction_id as commit_xid, recorded_at as at from events
       where ${conds.filter((x) => !x.startsWith('recorded_at')).join(' and ')}
       order by transaction_id, global_position limit ${TIME_SCAN_BUDGET}) c
     where ${conds.filter((x) => x.startsWith('recorded_at')).map((x) => x.replace('recorded_at', 'at')).join(' and ')}
     order by commit_xid, global_position limit $${params.length}`,
    params,
  );
  if (near.rows.length >= limit) return near.rows;
  const { rows } = await c.query<EventRow>(
    `select ${EVENT_COLUMNS} from events where global_position in (
       select global_position from (select transaction_id as x, global_position from events where ${where} offset 0) m
       order by x, global_position limit $${params.length})
     order by transaction_id, global_position`,
    params,
  );
  return rows;
}

/** A plain position N means "behind the event at N" (or the nearest earlier one). */
async function resolveAfter(c: Queryable, after: string | number | undefined): Promise<EventCursor> {
  if (after === undefined || after === 0 || after === '0' || after === '') return START;
  if (typeof after === 'string' && after.includes(':')) return decodeCursor(after);
  const position = typeof after === 'number' ? after : Number(after);
  if (!Number.isSafeInteger(position) || position < 0) return decodeCursor(String(after));
  const { rows } = await c.query<{ xid: string; pos: string }>(
    `select transaction_id::text as xid, global_position::text as pos from events
     where global_position <= $1 order by global_position desc limit 1`,
    [position],
  );
  return rows.length === 0 ? START : { transactionId: BigInt(rows[0].xid), globalPosition: BigInt(rows[0].pos) };
}
