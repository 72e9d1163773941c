/**
 * A read-model write applied atomically with an append (the same SQL statement, so the same transaction and
 * one round trip), described as data: the store renders it against the appended event, so no context needs to
 * know how the store exposes that event (a private relation, its columns, the rule that an idempotent replay
 * writes nothing). Each write is idempotent by construction: an insert that exists already does nothing, an
 * update applies only to a row older than the event. Its values are typed by casts; it runs as the appender's
 * role after `cave_append` set `cave.namespace`, so RLS applies exactly as in `Database.tenant`.
 */
export interface InlineProjection<Row = Record<string, unknown>> {
  write: RowWrite;
  /** The row the write returned (`returning` columns, named as selected) as the context's read-model type. */
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

/** A value the write stores: a parameter, a constant, or where the appended event sits. */
export type ColumnValue = { param: unknown; cast: string } | { literal: string } | { event: EventField };

type EventField = 'stream_version' | 'global_position' | 'recorded_at';

/** Where the appended event sits, for columns that record it. */
export const EVENT = {
  streamVersion: { event: 'stream_version' },
  globalPosition: { event: 'global_position' },
  recordedAt: { event: 'recorded_at' },
} as const satisfies Record<string, ColumnValue>;

/** A parameter with its SQL type (`uuid`, `text`, `jsonb`, ...). */
export function param(value: unknown, cast: string): ColumnValue {
  return { param: value, cast };
}

/** A constant text value. */
export function literal(text: string): ColumnValue {
  return { literal: text };
}

/** Insert one row unless a row with the same `key` exists. */
export interface InsertRow {
  insert: string;
  columns: Record<string, ColumnValue>;
  /** The conflict target: a row with this key already there means the event was applied. */
  key: string;
  returning: string[];
}

/** Update the row with `key` = `value` unless its `versionColumn` already is the event's stream version or later. */
export interface UpdateRow {
  update: string;
  key: { column: string; value: ColumnValue };
  set: Record<string, ColumnValue>;
  versionColumn: string;
  returning: string[];
  /** The table's alias in the statement (`returning` columns are qualified with it). */
  alias?: string;
}

/**
 * A write the two shapes above cannot say (an upsert that replaces an older version, a delete), as one
 * `insert`/`update`/`delete ... returning` statement reading `appended` (alias `a`) with parameters `$1..$n`.
 * It must be idempotent by stream version and write nothing for a replayed append (`not a.replayed`).
 */
export interface StatementWrite {
  statement: SqlStatement;
}

export type RowWrite = InsertRow | UpdateRow | StatementWrite;

/** The write as SQL reading the event from the relation `appended` (alias `a`), parameters from `$offset+1`. */
export function renderWrite(write: RowWrite, offset = 0): SqlStatement {
  const values: unknown[] = [];
  const sql = (v: ColumnValue): string => {
    if ('param' in v) {
      values.push(v.param);
      return `$${offset + values.length}::${v.cast}`;
    }
    if ('literal' in v) return `'${v.literal.replace(/'/g, "''")}'`;
    return `a.${v.event}`;
  };
  if ('statement' in write) {
    return { text: write.statement.text.replace(/\$(\d+)/g, (_, d: string) => `$${Number(d) + offset}`), values: write.statement.values };
  }
  if ('insert' in write) {
    const names = Object.keys(write.columns);
    const exprs = names.map((n) => sql(write.columns[n]));
    return {
      text:
        `insert into ${write.insert} (${names.join(', ')}) select ${exprs.join(', ')} from appended a where not a.replayed ` +
        `on conflict (${write.key}) do nothing returning ${write.returning.join(', ')}`,
      values,
    };
  }
  const t = write.alias ?? 'r';
  const key = sql(write.key.value);
  const set = Object.entries(write.set).map(([c, v]) => `${c} = ${sql(v)}`);
  return {
    text:
      `update ${write.update} ${t} set ${set.join(', ')} from appended a ` +
      `where ${t}.${write.key.column} = ${key} and ${t}.${write.versionColumn} < a.stream_version and not a.replayed ` +
      `returning ${write.returning.map((c) => `${t}.${c}`).join(', ')}`,
    values,
  };
}

/** Where a committed event sits, for applying a projection outside an append (replays, rebuilds). */
export interface EventPosition {
  streamVersion: number;
  globalPosition: number;
  recordedAt: Date;
}

/**
 * The projection as a standalone statement for an event already in the log: `appended` becomes a one-row
 * VALUES list. Async projectors use it, so inline and replayed writes share one text.
 */
export function projectionAt(projection: Pick<InlineProjection<unknown>, 'write'>, at: EventPosition): SqlStatement {
  const { text, values } = renderWrite(projection.write);
  const n = values.length;
  return {
    text:
      `with appended (stream_version, global_position, recorded_at, replayed) as ` +
      `(values ($${n + 1}::integer, $${n + 2}::bigint, $${n + 3}::timestamptz, false)) ${text}`,
    values: [...values, at.streamVersion, at.globalPosition, at.recordedAt],
  };
}
