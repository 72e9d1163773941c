import type { PoolClient } from 'pg';
import type { Database } from '../database/database';
import type { RunStatement } from './append-statement';

/**
 * The one place that chooses how an append reaches the server:
 * - inside a caller's transaction (`client`), on that client: it is part of the caller's unit of work;
 * - a standalone single-event append (a command's) through the group-commit batcher (ADR 0009), which shares
 *   one round trip and one commit among concurrent callers;
 * - a standalone multi-event append straight on the pool: it already amortises its round trip, and queued
 *   behind others in one backend it would only wait (measured: batches of 100 fell from ~51k to ~34k events/s).
 */
export function appendTransport(db: Database, client: PoolClient | undefined, eventCount: number, namespace?: string, scoped = false): RunStatement {
  if (client) return (statement, params) => client.query({ ...statement, values: params });
  // A precondition reads before cave_append sets the namespace: the batch sets it first (same round trip).
  if (scoped) return (statement, params) => db.appends.query(statement, params, { namespace });
  // The namespace tags the statement (it is unchanged: cave_append sets the namespace itself), so a tenant whose
  // appends the server keeps refusing is taken out of the shared batches (issue 10 item 1).
  if (eventCount === 1) return (statement, params) => db.appends.query(statement, params, { tenant: namespace });
  return (statement, params) => db.app.query({ ...statement, values: params });
}
