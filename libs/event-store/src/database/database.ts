import { Pool, PoolClient, PoolConfig, QueryResult, QueryResultRow } from 'pg';
import { assertNamespace } from './namespace';
import { StatementBatcher } from './statement-batcher';
import { withClient } from './with-client';

export interface DatabaseUrls {
  /** Runtime role: no BYPASSRLS, not owner. Every tenant query runs here. */
  appUrl: string;
  /** BYPASSRLS role: admin endpoints and system workers that read across namespaces. */
  adminUrl: string;
  /** Login with REPLICATION for the realtime WAL reader (docs/adr/0008); absent = realtime polls. */
  replicationUrl?: string;
}

export { assertNamespace };

/**
 * Session settings that batched literals (`executeBatch`) depend on, sent in every connection's startup packet
 * so neither a server, database nor role setting can change them: with a client encoding where a backslash can
 * end a multibyte character and `backslash_quote = on`, an escaped value could end its literal early.
 */
const PINNED_SESSION = '-c client_encoding=UTF8 -c standard_conforming_strings=on -c backslash_quote=safe_encoding';

/**
 * Every runtime call is bounded, so a stalled server (a stopped postmaster, a full disk) fails requests
 * instead of hanging them: opening a connection, a statement's server time, and the round trip as the client
 * sees it (the only bound when the server does not answer at all). Overridable per pool (`extra`) and by
 * CAVE_DB_*_TIMEOUT_MS in the daemon.
 */
export const DEFAULT_TIMEOUTS: Pick<PoolConfig, 'connectionTimeoutMillis' | 'statement_timeout' | 'query_timeout'> = {
  connectionTimeoutMillis: 5_000,
  statement_timeout: 15_000,
  query_timeout: 20_000,
};

/** Kept open while idle: one per batcher (lookups, reads, appends) and one for a transaction. */
const WARM_APP_CONNECTIONS = 4;
/** The projection runners' and the audit writer's transactions. */
const WARM_ADMIN_CONNECTIONS = 2;

/**
 * The two runtime connection pools. Tenant work always goes through `tenant()`, which pins the
 * namespace for one transaction with `set_config(..., true)` so RLS can never see a stale value
 * from a pooled connection's previous user.
 */
export class Database {
  readonly app: Pool;
  readonly admin: Pool;
  /**
   * Group commit for standalone appends as `cave_app` (no caller transaction): concurrent ones share a round
   * trip and a commit. Separate from `lookups` so a read never waits for another caller's WAL flush.
   */
  readonly appends: StatementBatcher;
  /** Coalesced single-statement reads as `cave_app` (the API-key lookup of every request). */
  readonly lookups: StatementBatcher;
  /**
   * Coalesced single-statement tenant reads (`tenantQuery`): each one sets its namespace and runs in the same
   * round trip, where `tenant()` needs three (begin + set_config, the statement, commit).
   */
  readonly reads: StatementBatcher;
  /** After-commit callbacks of the transactions currently open on checked-out clients. */
  private readonly commitHooks = new WeakMap<PoolClient, (() => void)[]>();

  constructor(urls: DatabaseUrls, poolSize = 20, extra: PoolConfig = {}) {
    const pinned = { ...DEFAULT_TIMEOUTS, ...extra, options: PINNED_SESSION };
    const adminSize = Math.max(4, Math.floor(poolSize / 2));
    // A few connections stay open through quiet stretches (`min`; the pool's 10 s idle timeout closes only the ones
    // above it). Without them the first request after a pause opens one: TCP, SCRAM and the startup packet, about
    // 16-20 ms before its key lookup could even be sent (issue 16: a chat's first token after 12 s idle).
    this.app = new Pool({ connectionString: urls.appUrl, max: poolSize, min: Math.min(WARM_APP_CONNECTIONS, poolSize), application_name: 'cave-app', ...pinned });
    this.admin = new Pool({ connectionString: urls.adminUrl, max: adminSize, min: Math.min(WARM_ADMIN_CONNECTIONS, adminSize), application_name: 'cave-admin', ...pinned });
    // One round trip in flight per batcher: everything that arrives meanwhile leaves in the next one. More in
    // flight only made the batches smaller and the CPU per statement higher (docs/BENCHMARKS.md, http); a
    // batch of 64 per round trip still carries tens of thousands of statements a second.
    this.appends = new StatementBatcher(this.app, { maxBatch: 64, maxInFlight: 1 });
    this.lookups = new StatementBatcher(this.app, { maxBatch: 64, maxInFlight: 1 });
    this.reads = new StatementBatcher(this.app, { maxBatch: 64, maxInFlight: 1 });
    // An idle client that loses its server must not crash the process; the pool replaces it.
    this.app.on('error', () => undefined);
    this.admin.on('error', () => undefined);
  }

  /** Runs `fn` in one transaction as `cave_app`, scoped to `namespace` by RLS. */
  async tenant<T>(namespace: string, fn: (client: PoolClient) => Promise<T>): Promise<T> {
    assertNamespace(namespace);
    return this.transaction(this.app, fn, namespace);
  }

  /**
   * One read-only statement as `cave_app` scoped to `namespace` by RLS, in ONE round trip: the namespace is set
   * transaction-locally by a `set_config` sent in the same simple-protocol message, right before the statement
   * (a prepared `EXECUTE`), and concurrent reads share that message (`reads`). For reads that need more than
   * one statement, or any write, use `tenant()`.
   */
  async tenantQuery<R extends QueryResultRow = QueryResultRow>(namespace: string, statement: { name: string; text: string }, values: unknown[]): Promise<QueryResult<R>> {
    assertNamespace(namespace);
    return this.reads.query<R>(statement, values, { namespace });
  }

  /**
   * Runs `fn` in one transaction as `cave_admin` (BYPASSRLS). Callers must be admin paths. `opening`, a
   * statement of literal SQL (no parameters), goes out in the BEGIN's own message, one round trip for both;
   * `fn` gets its result.
   */
  async asAdmin<T>(fn: (client: PoolClient, opened?: QueryResult) => Promise<T>, opening?: string): Promise<T> {
    return this.transaction(this.admin, fn, undefined, opening);
  }

  private transaction<T>(pool: Pool, fn: (client: PoolClient, opened?: QueryResult) => Promise<T>, namespace?: string, opening?: string): Promise<T> {
    return withClient(pool, async (client, lease) => {
      const hooks: (() => void)[] = [];
      this.commitHooks.set(client, hooks);
      try {
        // One round trip for BEGIN + the namespace (validated above, so literal quoting is exact).
        const begun = await client.query(
          namespace === undefined ? (opening === undefined ? 'begin' : `begin; ${opening}`) : `begin; select set_config('cave.namespace', ${client.escapeLiteral(namespace)}, true)`,
        );
        const result = await fn(client, opening === undefined ? undefined : (begun as unknown as QueryResult[])[1]);
        await client.query('commit');
        this.commitHooks.delete(client);
        for (const h of hooks) h();
        return result;
      } catch (e) {
        // A rollback that fails (a timed-out query still occupies the connection, or the server is gone)
        // leaves the connection in an unknown state: it is destroyed, never handed to the next caller.
        const rolledBack = await client.query('rollback').then(
          () => true,
          () => false,
        );
        if (!rolledBack) lease.discard(e instanceof Error ? e : new Error(String(e)));
        throw e;
      } finally {
        this.commitHooks.delete(client);
      }
    });
  }

  /**
   * Runs `fn` once the transaction that `client` is in (opened by `tenant`/`asAdmin`) commits; never
   * if it rolls back. A client outside such a transaction is in autocommit: `fn` runs at once.
   */
  afterCommit(client: PoolClient, fn: () => void): void {
    const hooks = this.commitHooks.get(client);
    if (hooks) hooks.push(fn);
    else fn();
  }

  async close(): Promise<void> {
    await Promise.all([this.app.end(), this.admin.end()]);
  }
}
