import type { PoolClient, QueryResult, QueryResultRow } from 'pg';
import { toSqlLiteral } from './sql-literal';

/** A named statement (its text from a small fixed set) with the values of one execution. */
export interface BatchItem {
  statement: { name: string; text: string };
  values: unknown[];
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
  // Built first: a value text cannot carry throws before anything is sent.
  const text = items
    .map(({ statement, values }) => {
      const name = sqlName(checkedName(statement.name));
      return values.length === 0 ? `execute ${name}` : `execute ${name}(${values.map((v) => toSqlLiteral(v, escape)).join(', ')})`;
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
  const result = (await client.query(text)) as unknown as QueryResult<R> | QueryResult<R>[];
  return Array.isArray(result) ? result : [result];
}

function checkedName(name: string): string {
  if (!SAFE_NAME.test(name)) throw new Error(`not a batchable statement name: ${JSON.stringify(name)}`);
  return name;
}
