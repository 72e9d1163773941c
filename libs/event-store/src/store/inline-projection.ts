/**
 * A read-model write applied atomically with an append (the same SQL statement, so the same transaction and
 * one round trip), described as data: the store renders it against the appended event, so no context needs to
 * know how the store exposes that event (a private relation, its columns, the rule that an idempotent replay
 * writes nothing). A replayed append writes nothing; an insert over an existing row keeps it or replaces it as
 * `onConflict` says; an update, and a delete given a version column, applies only to a row older than the event.
 * Its values are typed by casts; it runs as the appender's
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

/** Insert one row; what a row with the same `key` already there means is `onConflict`'s to say. */
export interface InsertRow {
  insert: string;
  columns: Record<string, ColumnValue>;
  /** The conflict target (a unique constraint's columns, comma-separated). */
  key: string;
  returning: string[];
  /**
   * `keep` (default): the row there means the event was applied; nothing changes. `replace`: the new row's other
   * columns overwrite it (a part uploaded again). `{ replaceOlder: column }`: they overwrite it only when its
   * `column` is lower than the new row's (an object key stored again, by stream version).
   */
  onConflict?: 'keep' | 'replace' | { replaceOlder: string };
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

/** Delete the row whose `key` columns equal the values, when given only if its `versionColumn` is older than the event. */
export interface DeleteRow {
  delete: string;
  key: Record<string, ColumnValue>;
  /** Without it the delete is idempotent by key alone (a row that is gone stays gone). */
  versionColumn?: string;
  returning: string[];
  /** The table's alias in the statement (`returning` columns are qualified with it). */
  alias?: string;
}

export type RowWrite = InsertRow | UpdateRow | DeleteRow;

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
  if ('insert' in write) {
    const names = Object.keys(write.columns);
    const exprs = names.map((n) => sql(write.columns[n]));
    return {
      text:
        `insert into ${write.insert} (${names.join(', ')}) select ${exprs.join(', ')} from appended a where not a.replayed ` +
        `on conflict (${write.key}) ${onConflict(write, names)} returning ${write.returning.join(', ')}`,
      values,
    };
  }
  if ('delete' in write) {
    const t = write.alias ?? 'r';
    const keys = Object.entries(write.key).map(([c, v]) => `${t}.${c} = ${sql(v)}`);
    const older = write.versionColumn ? ` and ${t}.${write.versionColumn} < a.stream_version` : '';
    return {
      text: `delete from ${write.delete} ${t} using appended a where ${keys.join(' and ')}${older} and not a.replayed returning ${write.returning.map((c) => `${t}.${c}`).join(', ')}`,
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

function onConflict(write: InsertRow, names: string[]): string {
  const mode = write.onConflict ?? 'keep';
  if (mode === 'keep') return 'do nothing';
  const key = new Set(write.key.split(',').map((c) => c.trim()));
  const set = names.filter((n) => !key.has(n)).map((n) => `${n} = excluded.${n}`);
  if (set.length === 0) return 'do nothing';
  const older = mode === 'replace' ? '' : ` where ${write.insert}.${mode.replaceOlder} < excluded.${mode.replaceOlder}`;
  return `do update set ${set.join(', ')}${older}`;
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
