import type { QueryResult, QueryResultRow } from 'pg';
import { InlineProjection, renderWrite, SqlStatement } from './inline-projection';
import { preparedStatement } from './prepared-statement';

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
 * cave_append behind a precondition: it is called once per row the precondition returned at most one, and with
 * none not at all (the call takes its namespace from that row, so it cannot run before or without it).
 */
function guardedAppendText(precondition: string): string {
  return `with precondition as materialized (${precondition}),
    appended as materialized (select a.* from (select $1::text as ns from precondition limit 1) g
      cross join lateral cave_append(g.ns, $2, $3, $4, $5::jsonb, $6) a)`;
}

const PLAIN_APPEND = 'with appended as materialized (select * from cave_append($1, $2, $3, $4, $5::jsonb, $6))';

/**
 * The append and a projection as one statement. `appended` is materialised (it is referenced twice and calls a
 * volatile function), so cave_append has finished, and set `cave.namespace`, before the projection's first row
 * is written and checked against RLS. Both are one implicit transaction: all or nothing.
 */
function withProjectionText(appended: string, projection: string): string {
  return `${appended},
    projected as (${projection})
    select a.global_position as append_global_position, a.stream_version as append_stream_version,
           a.transaction_id as append_transaction_id, a.recorded_at as append_recorded_at, a.replayed as append_replayed,
           p.*
    from appended a left join (select true as append_projected, * from projected) p on true`;
}

/** One row per appended event, as cave_append returns it. */
export interface AppendRow {
  global_position: string;
  stream_version: number;
  transaction_id: string;
  recorded_at: Date;
  replayed: boolean;
}

/** Runs one statement wherever the append was routed (see appendTransport). */
export type RunStatement = <R extends QueryResultRow>(statement: { name: string; text: string }, params: unknown[]) => Promise<QueryResult<R>>;

/**
 * Executes cave_append with `params` (namespace, stream type, stream id, expected version, events, key), and
 * the projection's write in the same statement when one is given; returns the append's rows and the row the
 * write returned (undefined when it wrote none, e.g. on a replay).
 */
export async function executeAppend(
  run: RunStatement,
  params: unknown[],
  projection?: InlineProjection<unknown>,
  precondition?: SqlStatement,
): Promise<{ rows: AppendRow[]; projected?: Record<string, unknown> }> {
  if (!projection && !precondition) return run<AppendRow>(APPEND_STATEMENT, params);
  const write = projection ? renderWrite(projection.write, APPEND_PARAMS) : undefined;
  const guardOffset = APPEND_PARAMS + (write?.values.length ?? 0);
  const appended = precondition ? guardedAppendText(precondition.text.replace(/\$(\d+)/g, (_, d: string) => `$${Number(d) + guardOffset}`)) : PLAIN_APPEND;
  const values = [...params, ...(write?.values ?? []), ...(precondition?.values ?? [])];
  if (!write) return run<AppendRow>(preparedStatement(`${appended} select * from appended`), values);
  const { rows } = await run<Record<string, unknown>>(preparedStatement(withProjectionText(appended, write.text)), values);
  // A precondition that returned no row: nothing was appended, so nothing was projected either.
  if (rows.length === 0) return { rows: [] };
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
}
