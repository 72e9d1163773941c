import { createHash, randomUUID } from 'node:crypto';
import { DatabaseError, PoolClient, QueryResult, QueryResultRow } from 'pg';
import { assertNamespace, Database } from '../database/database';
import { ConcurrencyError } from './concurrency.error';
import { decodeCursor, encodeCursor, EventCursor, START } from './event-cursor';
import { EVENT_COLUMNS, EventRow, toRecordedEvent } from './event-row.mapper';
import { AppendResult, EventMetadata, ExpectedVersion, NewEvent, RecordedEvent } from './event.types';
import { UpcasterRegistry } from './upcaster-registry';

export interface AppendOptions {
  namespace: string;
  streamType: string;
  idempotencyKey?: string;
  actor?: string;
  correlationId?: string;
  causationId?: string;
  /** The edge the command came in through (`http`, `mcp`, `system`), recorded as `metadata.channel`. */
  channel?: string;
  /** Append inside the caller's transaction (inline projections); it must belong to `namespace`. */
  client?: PoolClient;
  /**
   * A read-model write executed in the same SQL statement as the append (so in the same transaction,
   * with or without `client`): one round trip for both. Only for single-event appends; see InlineProjection.
   */
  projection?: InlineProjection<unknown>;
}

/**
 * One data-modifying statement (`insert`/`update` ... `returning`) applied atomically with an append. It reads
 * the appended event from the relation `appended` (columns `stream_version integer`, `global_position bigint`,
 * `recorded_at timestamptz`, `replayed boolean`) and must write nothing for a replayed row (`where not
 * replayed`): an idempotent retry appended nothing. Its own parameters are `$1..$n` (`values`), typed by casts.
 * It runs as the appender's role after `cave_append` set `cave.namespace`, so RLS applies exactly as in
 * `Database.tenant`. Its text must be one of a small, fixed set (it becomes a named prepared statement).
 */
export interface InlineProjection<Row = Record<string, unknown>> extends SqlStatement {
  /** The statement's returned row (column names as selected) as the context's read-model type. */
  toRow(row: Record<string, unknown>): Row;
  /**
   * Unique constraints of the read model whose violation is a domain outcome, not a bug (two active keys
   * with one secret): the append fails with that error instead of the database's.
   */
  violations?: Record<string, () => Error>;
}

/** One parameterised SQL statement. */
export interface SqlStatement {
  text: string;
  values: unknown[];
}

/** Where a committed event sits, for applying an InlineProjection outside an append (replays, rebuilds). */
export interface EventPosition {
  streamVersion: number;
  globalPosition: number;
  recordedAt: Date;
}

/**
 * The statement of an InlineProjection as a standalone statement for an event already in the log: `appended`
 * becomes a one-row VALUES list. Used by async projectors, so inline and replayed writes share one text.
 */
export function projectionAt(projection: SqlStatement, at: EventPosition): SqlStatement {
  const n = projection.values.length;
  return {
    text:
      `with appended (stream_version, global_position, recorded_at, replayed) as ` +
      `(values ($${n + 1}::integer, $${n + 2}::bigint, $${n + 3}::timestamptz, false)) ${projection.text}`,
    values: [...projection.values, at.streamVersion, at.globalPosition, at.recordedAt],
  };
}

export interface ReadStreamOptions {
  namespace: string;
  fromVersion?: number;
  toVersion?: number;
  /** Only events at or below this global position (time travel). */
  toPosition?: number;
  /** Only events recorded at or before this instant (time travel). */
  toTime?: Date;
  /** Read inside the caller's transaction (already scoped to `namespace` by `Database.tenant`). */
  client?: PoolClient;
}

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
 * A named statement: each pooled connection parses and plans it once instead of on every append
 * (planning the call was about a third of an append's server time; docs/BENCHMARKS.md). A later
 * migration that changed cave_append's result columns would need a new name here.
 */
const APPEND_STATEMENT = { name: 'cave_append_v1', text: 'select * from cave_append($1, $2, $3, $4, $5::jsonb, $6)' };

const APPEND_PARAMS = 6;
/** Result columns of the combined statement that belong to the append; the rest are the projection's row. */
const APPEND_COLUMNS = ['append_global_position', 'append_stream_version', 'append_transaction_id', 'append_recorded_at', 'append_replayed', 'append_projected'];

/**
 * The append and a projection as one statement. `appended` is materialised (it is referenced twice and calls a
 * volatile function), so cave_append has finished, and set `cave.namespace`, before the projection's first row
 * is written and checked against RLS. Both are one implicit transaction: all or nothing.
 */
const combinedTexts = new Map<string, string>();

function appendWithProjectionText(projection: string): string {
  let text = combinedTexts.get(projection);
  if (text === undefined) {
    text = buildAppendWithProjection(projection);
    combinedTexts.set(projection, text);
  }
  return text;
}

function buildAppendWithProjection(projection: string): string {
  const shifted = projection.replace(/\$(\d+)/g, (_, d: string) => `$${Number(d) + APPEND_PARAMS}`);
  return `with appended as materialized (select * from cave_append($1, $2, $3, $4, $5::jsonb, $6)),
    projected as (${shifted})
    select a.global_position as append_global_position, a.stream_version as append_stream_version,
           a.transaction_id as append_transaction_id, a.recorded_at as append_recorded_at, a.replayed as append_replayed,
           p.*
    from appended a left join (select true as append_projected, * from projected) p on true`;
}

interface AppendRow {
  global_position: string;
  stream_version: number;
  transaction_id: string;
  recorded_at: Date;
  replayed: boolean;
}

const named = new Map<string, string>();

/**
 * A named prepared statement for a statement text from a small, fixed set (hot paths: inline and replayed
 * projections). Named by content, so each pooled connection parses and plans it once, and a changed text gets a
 * new name instead of "prepared statement already exists" or a stale plan.
 */
export function preparedStatement(text: string): { name: string; text: string } {
  let name = named.get(text);
  if (name === undefined) {
    name = `cave_s_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
    named.set(text, name);
  }
  return { name, text };
}

export type AppendListener = (count: number, streamType: string) => void;

/**
 * Append-only store of events in PostgreSQL. All writes go through the `cave_append` function
 * (one round trip, one transaction); reads upcast old payloads. Global reads follow the
 * commit-safe order (transaction_id, global_position) and never return rows of a transaction that
 * might still be in flight, so a follower can't skip an event that commits late.
 */
export class EventStore {
  private readonly appendListeners: AppendListener[] = [];

  constructor(
    private readonly db: Database,
    private readonly upcasters = new UpcasterRegistry(),
  ) {}

  /** Called after every committed (non-replayed) append; metrics hook in here. */
  onAppend(listener: AppendListener): void {
    this.appendListeners.push(listener);
  }

  async append(streamId: string, expected: ExpectedVersion, events: NewEvent[], opts: AppendOptions): Promise<AppendResult> {
    if (events.length === 0) throw new Error('append needs at least one event');
    assertNamespace(opts.namespace);
    const common: EventMetadata = {
      ...(opts.actor !== undefined && { actor: opts.actor }),
      ...(opts.correlationId !== undefined && { correlationId: opts.correlationId }),
      ...(opts.causationId !== undefined && { causationId: opts.causationId }),
      ...(opts.idempotencyKey !== undefined && { idempotencyKey: opts.idempotencyKey }),
      ...(opts.channel !== undefined && { channel: opts.channel }),
    };
    const payload = JSON.stringify(
      events.map((e) => ({
        eventId: e.eventId ?? randomUUID(),
        type: e.type,
        schemaVersion: e.schemaVersion ?? 1,
        data: e.data ?? {},
        metadata: { ...e.metadata, ...common },
      })),
    );
    const expectedNum = expected === 'any' ? -1 : expected === 'no_stream' ? 0 : expected;
    const values = [opts.namespace, opts.streamType, streamId, expectedNum, payload, opts.idempotencyKey ?? null];
    const projection = opts.projection;
    if (projection && events.length !== 1) throw new Error('an inline projection needs a single-event append');
    // Inside a caller's transaction the statement must run on that client. A standalone single-event append (a
    // command's) goes through the group-commit batcher (ADR 0009); a multi-event append already amortises its
    // round trip, and queued behind others in one backend it would only wait (measured: batches of 100 fell
    // from ~51k to ~34k events/s when batched), so it goes straight to the pool.
    const run = <R extends QueryResultRow>(statement: { name: string; text: string }, params: unknown[]): Promise<QueryResult<R>> => {
      if (opts.client) return opts.client.query<R>({ ...statement, values: params });
      if (events.length === 1) return this.db.appends.query<R>(statement, params);
      return this.db.app.query<R>({ ...statement, values: params });
    };
    const exec = async (): Promise<{ rows: AppendRow[]; projected?: Record<string, unknown> }> => {
      if (!projection) return run<AppendRow>(APPEND_STATEMENT, values);
      const { rows } = await run<Record<string, unknown>>(preparedStatement(appendWithProjectionText(projection.text)), [...values, ...projection.values]);
      const first = rows[0];
      let projected: Record<string, unknown> | undefined;
      if (first.append_projected === true) {
        projected = {};
        for (const [k, v] of Object.entries(first)) if (!APPEND_COLUMNS.includes(k)) projected[k] = v;
      }
      return {
        rows: rows.map((r) => ({
          global_position: r.append_global_position as string,
          stream_version: r.append_stream_version as number,
          transaction_id: r.append_transaction_id as string,
          recorded_at: r.append_recorded_at as Date,
          replayed: r.append_replayed as boolean,
        })),
        projected,
      };
    };

    // 'any' and idempotent retries race benignly with concurrent writers: try again a few times.
    for (let attempt = 0; ; attempt++) {
      try {
        const { rows, projected } = await exec();
        const last = rows[rows.length - 1];
        const replayed = rows[0].replayed;
        if (!replayed) {
          // Inside a caller's transaction the events are not committed yet: metrics and wake-ups
          // must wait for the commit (and never fire for a rollback).
          const notify = () => {
            for (const l of this.appendListeners) l(rows.length, opts.streamType);
          };
          if (opts.client) this.db.afterCommit(opts.client, notify);
          else notify();
        }
        return {
          streamId,
          nextExpectedVersion: last.stream_version,
          globalPositions: rows.map((r) => Number(r.global_position)),
          cursor: encodeCursor({ transactionId: BigInt(last.transaction_id), globalPosition: BigInt(last.global_position) }),
          recordedAt: last.recorded_at,
          replayed,
          ...(projected && { projected }),
        };
      } catch (e) {
        const violations = projection?.violations;
        if (e instanceof DatabaseError && violations && e.constraint && Object.hasOwn(violations, e.constraint)) throw violations[e.constraint]();
        const conflict = toConcurrencyError(e, streamId, expected);
        if (!conflict) throw e;
        const retryable = !opts.client && attempt < 3 && (expected === 'any' || opts.idempotencyKey !== undefined);
        if (!retryable) throw conflict;
      }
    }
  }

  /** Events of one stream in version order, upcast; empty when the stream is not in `namespace`. */
  async readStream(streamId: string, opts: ReadStreamOptions): Promise<RecordedEvent[]> {
    const conds = ['stream_id = $1'];
    const params: unknown[] = [streamId];
    const add = (sql: string, v: unknown) => {
      params.push(v);
      conds.push(sql.replace('?', `$${params.length}`));
    };
    if (opts.fromVersion !== undefined) add('stream_version >= ?', opts.fromVersion);
    if (opts.toVersion !== undefined) add('stream_version <= ?', opts.toVersion);
    if (opts.toPosition !== undefined) add('global_position <= ?', opts.toPosition);
    if (opts.toTime !== undefined) add('recorded_at <= ?', opts.toTime);
    const read = async (c: Pick<PoolClient, 'query'>) =>
      (await c.query<EventRow>(`select ${EVENT_COLUMNS} from events where ${conds.join(' and ')} order by stream_version`, params)).rows;
    const rows = opts.client ? await read(opts.client) : await this.db.tenant(opts.namespace, read);
    return rows.map((r) => this.upcasters.upcast(toRecordedEvent(r)));
  }

  /** The next batch in commit-safe global order after `after`. */
  async readAll(opts: ReadAllOptions = {}): Promise<ReadAllResult> {
    const limit = Math.min(Math.max(opts.limit ?? 1000, 1), MAX_BATCH);
    const run = async (c: Queryable): Promise<ReadAllResult> => {
      const from = await this.resolveAfter(c, opts.after);
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
      params.push(limit);
      const where = conds.join(' and ');
      const ordered = `select ${EVENT_COLUMNS} from events where ${where} order by transaction_id, global_position limit $${params.length}`;
      const timed = f.recordedFrom !== undefined || f.recordedTo !== undefined;
      const rows = timed ? await this.readTimeRange(c, conds, params, limit) : (await c.query<EventRow>(ordered, params)).rows;
      const events = rows.map((r) => this.upcasters.upcast(toRecordedEvent(r)));
      return { events, cursor: events.length > 0 ? events[events.length - 1].cursor : encodeCursor(from) };
    };
    if (opts.scope !== undefined) return this.db.tenant(opts.scope, run);
    // Unscoped reads need no transaction (no namespace to pin; each statement is atomic on its own):
    // one round trip instead of three, which followers such as the realtime tail do per wake-up.
    // Straight on the pool: it handles a connection that dies mid-query (a checked-out client
    // without an 'error' listener would crash the process).
    return run(this.db.admin);
  }

  /** The result of an earlier append with this idempotency key, if there was one. */
  async findIdempotentAppend(
    streamId: string,
    idempotencyKey: string,
    namespace: string,
    client?: PoolClient,
  ): Promise<AppendResult | undefined> {
    const read = async (c: Pick<PoolClient, 'query'>) =>
      (
        await c.query<{ global_position: string; stream_version: number; transaction_id: string; recorded_at: Date }>(
          `select e.global_position, e.stream_version, e.transaction_id::text as transaction_id, e.recorded_at
           from event_idempotency i
           join events e on e.stream_id = i.stream_id and e.stream_version between i.first_version and i.last_version
           where i.stream_id = $1 and i.idempotency_key = $2 order by e.stream_version`,
          [streamId, idempotencyKey],
        )
      ).rows;
    const rows = client ? await read(client) : await this.db.tenant(namespace, read);
    if (rows.length === 0) return undefined;
    const last = rows[rows.length - 1];
    return {
      streamId,
      nextExpectedVersion: last.stream_version,
      globalPositions: rows.map((r) => Number(r.global_position)),
      cursor: encodeCursor({ transactionId: BigInt(last.transaction_id), globalPosition: BigInt(last.global_position) }),
      recordedAt: last.recorded_at,
      replayed: true,
    };
  }

  /** Current version of a stream (0 when it does not exist in `namespace`). */
  async streamVersion(streamId: string, namespace: string): Promise<number> {
    return this.db.tenant(namespace, async (c) => {
      const { rows } = await c.query<{ v: number }>(
        'select coalesce(max(stream_version), 0)::int as v from events where stream_id = $1',
        [streamId],
      );
      return rows[0].v;
    });
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
  private async readTimeRange(c: Queryable, conds: string[], params: unknown[], limit: number): Promise<EventRow[]> {
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
  private async resolveAfter(c: Queryable, after: string | number | undefined): Promise<EventCursor> {
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
}

function toConcurrencyError(e: unknown, streamId: string, expected: ExpectedVersion): ConcurrencyError | undefined {
  if (!(e instanceof DatabaseError)) return undefined;
  if (e.code === 'CV409') {
    const detail = e.detail ? (JSON.parse(e.detail) as { actual: number }) : undefined;
    return new ConcurrencyError(streamId, expected, detail?.actual);
  }
  if (e.code === '23505' && (e.constraint === 'events_stream_version_unique' || e.constraint === 'event_idempotency_pkey')) {
    return new ConcurrencyError(streamId, expected);
  }
  return undefined;
}
