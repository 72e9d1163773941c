import { Query } from 'pg';
import type { PoolClient, QueryResult, QueryResultRow } from 'pg';
import { assertNamespace } from './namespace';
import { toSqlLiteral } from './sql-literal';

/** A named statement (its text from a small fixed set) with the values of one execution. */
export interface BatchItem {
  statement: { name: string; text: string };
  values: unknown[];
  /**
   * The tenant this execution reads or writes as: the batch sets `cave.namespace` (transaction-local) right
   * before it, so row-level security scopes it exactly as `Database.tenant` would. In one batch either every
   * item has a namespace or none has, so no item can run under the namespace its predecessor set.
   */
  namespace?: string;
}

type BatchClient = Pick<PoolClient, 'query' | 'escapeLiteral'>;

const SAFE_NAME = /^[a-z_][a-z0-9_]{0,60}$/;

/** Statements prepared with SQL `PREPARE` on each pooled connection (a connection lives as long as its client). */
const preparedOn = new WeakMap<BatchClient, Set<string>>();

/**
 * The SQL-level name. `pg` prepares the same text under `name` through the protocol on the same connection,
 * and both live in one namespace per session, so ours must differ.
 */
const sqlName = (name: string) => `b_${name}`;

/**
 * Runs many executions of prepared statements in ONE round trip: a simple-protocol query of
 * `EXECUTE name(literal, ...)` statements, each with the plan its connection prepared once. PostgreSQL runs
 * a multi-statement query as one implicit transaction (unless `client` is already inside one): all of them
 * commit or none does, and an error skips the rest. Results come back in item order.
 *
 * Why not one statement per item: on this kind of machine a loopback round trip (a socket write and a
 * wake-up on both sides) costs more CPU than the INSERT it carries (docs/BENCHMARKS.md).
 */
export async function executeBatch<R extends QueryResultRow = QueryResultRow>(client: BatchClient, items: readonly BatchItem[]): Promise<QueryResult<R>[]> {
  if (items.length === 0) return [];
  const escape = (s: string) => client.escapeLiteral(s);
  const scoped = items[0].namespace !== undefined;
  if (items.some((i) => (i.namespace !== undefined) !== scoped)) throw new Error('a batch mixes namespaced and unscoped statements');
  // Server commands per item: a scoped item is `select set_config(...)` and then its EXECUTE.
  const perItem = scoped ? 2 : 1;
  // Built first: a value text cannot carry throws before anything is sent (and says which item it was).
  const text = items
    .map(({ statement, values, namespace }, index) => {
      const name = sqlName(checkedName(statement.name));
      try {
        const run = values.length === 0 ? `execute ${name}` : `execute ${name}(${values.map((v) => toSqlLiteral(v, escape)).join(', ')})`;
        if (namespace === undefined) return run;
        assertNamespace(namespace);
        // Transaction-local, and the whole multi-statement query is one transaction: the setting holds exactly
        // until the next item's own set_config, and is gone when the batch ends.
        return `select set_config('cave.namespace', ${escape(namespace)}, true);\n${run}`;
      } catch (e) {
        throw markFailedAt(e, index);
      }
    })
    .join(';\n');
  let prepared = preparedOn.get(client);
  if (!prepared) {
    prepared = new Set();
    preparedOn.set(client, prepared);
  }
  for (const { statement } of items) {
    if (prepared.has(statement.name)) continue;
    // Untyped parameters are inferred from the text, exactly as for pg's protocol-level Parse.
    await client.query(`prepare ${sqlName(statement.name)} as ${statement.text}`);
    prepared.add(statement.name);
  }
  const result = await new Promise<QueryResult<R> | QueryResult<R>[]>((resolve, reject) => {
    const query: CountingQuery = new CountingQuery(text, (error, res) =>
      // The server runs the statements in order and stops at the first error: the statements it completed
      // before that are the failed one's index.
      error ? reject(markFailedAt(error, Math.floor(query.completed / perItem))) : resolve(res as QueryResult<R> | QueryResult<R>[]),
    );
    client.query(query as never);
  });
  const results = Array.isArray(result) ? result : [result];
  // One EXECUTE gives exactly one result (and a set_config one more). Any other count means the text did not
  // parse as we built it (a literal the server read differently): results would shift to the wrong callers,
  // so nothing is handed out.
  if (results.length !== items.length * perItem) throw new BatchResultMismatchError(items.length * perItem, results.length);
  return scoped ? results.filter((_, i) => i % 2 === 1) : results;
}

/** The batch text produced a different number of results than statements: the connection must not be trusted. */
export class BatchResultMismatchError extends Error {
  constructor(expected: number, got: number) {
    super(`a batch of ${expected} statements returned ${got} results`);
  }
}

const failedAt = new WeakMap<object, number>();

function markFailedAt(e: unknown, index: number): unknown {
  if (typeof e === 'object' && e !== null) failedAt.set(e, index);
  return e;
}

/** Which item of a batch an `executeBatch` error came from, when that is known. */
export function failedBatchIndex(e: unknown): number | undefined {
  return typeof e === 'object' && e !== null ? failedAt.get(e) : undefined;
}

type QueryCallback = (error: Error | null, result?: unknown) => void;
const PgQuery = Query as unknown as new (text: string, values: undefined, callback: QueryCallback) => {
  handleCommandComplete(msg: unknown, connection: unknown): void;
};

/** pg's own Query (a Submittable), counting the statements the server completed. */
class CountingQuery extends PgQuery {
  completed = 0;

  constructor(text: string, callback: QueryCallback) {
    super(text, undefined, callback);
  }

  override handleCommandComplete(msg: unknown, connection: unknown): void {
    this.completed++;
    super.handleCommandComplete(msg, connection);
  }
}

function checkedName(name: string): string {
  if (!SAFE_NAME.test(name)) throw new Error(`not a batchable statement name: ${JSON.stringify(name)}`);
  return name;
}
