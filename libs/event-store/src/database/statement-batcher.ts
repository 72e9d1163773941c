import { DatabaseError, Pool, QueryResult, QueryResultRow } from 'pg';
import { BatchItem, executeBatch, failedBatchIndex } from './prepared-batch';
import { UnsupportedLiteralError } from './sql-literal';
import { withClient } from './with-client';

export interface StatementBatcherOptions {
  /** Most statements sent in one round trip. */
  maxBatch: number;
  /** Round trips in flight at once; callers beyond them queue and leave together in the next one. */
  maxInFlight: number;
  /**
   * How long a tenant whose statement the server refused is kept out of shared batches (ms; default 1,000):
   * meanwhile its statements run alone, one at a time, so its failures roll back none of the others'.
   */
  isolateMs?: number;
}

/** Who a statement is for, so a tenant whose statements keep failing pays for that alone. */
export interface StatementScope {
  /** Run as this tenant: `cave.namespace` is set transaction-locally right before the statement (RLS). */
  namespace?: string;
  /** Whose statement it is, for isolation only (defaults to `namespace`); the statement itself is unchanged. */
  tenant?: string;
}

/** Counters for /metrics: how much coalescing happens, and how often a batch had to be split up. */
export interface BatcherStats {
  roundTrips: number;
  statements: number;
  /** Batches a server error rolled back; their other statements were then re-sent (docs/adr/0009). */
  splits: number;
  /** Statements sent alone because their tenant's statements had just failed in a shared batch. */
  isolated: number;
}

interface Pending {
  item: BatchItem;
  tenant?: string;
  resolve(result: QueryResult): void;
  reject(error: unknown): void;
}

/**
 * Group commit for independent statements on one pool. A caller's statement leaves at once while fewer
 * than `maxInFlight` round trips are out; otherwise it waits for the next one, which carries everything that
 * queued meanwhile as one multi-statement query (`executeBatch`): one round trip, one transaction, one WAL
 * flush for all of them. Light load sees no added latency (a lone statement goes straight out, prepared as
 * before); under load the cost per statement falls with the batch size.
 *
 * Each statement keeps its own outcome. A batch is atomic, so when the server rejects one statement the
 * others are rolled back with it. The server stops at the first error, so the failed statement is known: its
 * caller gets that error (what it would have got alone: the statements before it ran first in both cases),
 * and the others are re-sent together as one batch. One tenant's bad statements therefore cost the other
 * callers one extra round trip per bad statement, not a round trip and a commit each. When the failed item is
 * not known (a statement could not even be prepared) the batch is halved until it is. A broken connection is
 * different: the batch may or may not have committed, so every caller gets that error (as a lone statement
 * would), and nothing is re-run that could apply twice.
 *
 * Revocation-sensitive reads stay exact: a statement queued after a change committed is sent after it too.
 */
export class StatementBatcher {
  readonly stats: BatcherStats = { roundTrips: 0, statements: 0, splits: 0, isolated: 0 };
  private readonly queue: Pending[] = [];
  private inFlight = 0;
  /** Tenants whose statements were refused recently, until when (ms since epoch). */
  private readonly isolatedUntil = new Map<string, number>();
  /** Their statements: sent alone, one round trip at a time, never with another tenant's. */
  private readonly isolatedQueue: Pending[] = [];
  private isolatedInFlight = false;

  constructor(
    private readonly pool: Pool,
    private readonly options: StatementBatcherOptions,
  ) {}

  /**
   * Runs `statement` with `values`, sharing a round trip with whatever else is queued. With `namespace` it runs
   * as that tenant: `cave.namespace` is set transaction-locally right before it, in the same round trip (RLS
   * scopes it as `Database.tenant` does, without the begin and commit exchanges).
   */
  query<R extends QueryResultRow = QueryResultRow>(statement: { name: string; text: string }, values: unknown[], scope: StatementScope = {}): Promise<QueryResult<R>> {
    const { namespace } = scope;
    const tenant = scope.tenant ?? namespace;
    return new Promise<QueryResult<R>>((resolve, reject) => {
      const pending: Pending = { item: namespace === undefined ? { statement, values } : { statement, values, namespace }, tenant, resolve: resolve as Pending['resolve'], reject };
      if (tenant !== undefined && this.isIsolated(tenant)) {
        this.isolatedQueue.push(pending);
        this.pumpIsolated();
      } else {
        this.queue.push(pending);
        this.pump();
      }
    });
  }

  private isIsolated(tenant: string): boolean {
    const until = this.isolatedUntil.get(tenant);
    if (until === undefined) return false;
    if (until > Date.now()) return true;
    this.isolatedUntil.delete(tenant);
    return false;
  }

  private isolate(p: Pending): void {
    if (p.tenant !== undefined) this.isolatedUntil.set(p.tenant, Date.now() + (this.options.isolateMs ?? 1_000));
  }

  private pumpIsolated(): void {
    if (this.isolatedInFlight) return;
    const next = this.isolatedQueue.shift();
    if (!next) return;
    this.isolatedInFlight = true;
    this.stats.roundTrips++;
    this.stats.statements++;
    this.stats.isolated++;
    const reject = next.reject;
    // A failure while isolated keeps the tenant isolated.
    next.reject = (e) => {
      if (isStatementFailure(e) && !isTransient(e)) this.isolate(next);
      reject(e);
    };
    void this.alone(next).finally(() => {
      this.isolatedInFlight = false;
      this.pumpIsolated();
    });
  }

  private pump(): void {
    while (this.inFlight < this.options.maxInFlight && this.queue.length > 0) {
      // A batch is all scoped or all unscoped (executeBatch refuses a mix): the longest such run at the head.
      const scoped = this.queue[0].item.namespace !== undefined;
      let take = 1;
      while (take < this.queue.length && take < this.options.maxBatch && (this.queue[take].item.namespace !== undefined) === scoped) take++;
      const batch = this.queue.splice(0, take);
      this.inFlight++;
      void this.send(batch).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  private async send(batch: Pending[]): Promise<void> {
    this.stats.roundTrips++;
    this.stats.statements += batch.length;
    if (batch.length === 1) return this.alone(batch[0]);
    let results: QueryResult[] | undefined;
    let failure: unknown;
    let broken = false;
    try {
      await withClient(this.pool, async (client, lease) => {
        try {
          results = await executeBatch(client, batch.map((p) => p.item));
        } catch (e) {
          failure = e;
          // A statement the server refused leaves the connection usable; anything else (a protocol or
          // connection error mid-batch) leaves it in an unknown state.
          if (!isStatementFailure(e)) lease.discard(e as Error);
        }
        broken = lease.lost !== undefined;
      });
    } catch (e) {
      // The checkout itself failed.
      for (const p of batch) p.reject(e);
      return;
    }
    const done = results;
    if (done) {
      batch.forEach((p, i) => p.resolve(done[i]));
      return;
    }
    if (!isStatementFailure(failure) || broken) {
      for (const p of batch) p.reject(failure);
      return;
    }
    this.stats.splits++;
    const index = failedBatchIndex(failure);
    if (index === undefined || index >= batch.length) {
      const half = Math.ceil(batch.length / 2);
      await Promise.all([this.send(batch.slice(0, half)), this.send(batch.slice(half))]);
      return;
    }
    const failed = batch[index];
    // Refused for its own content: the caller gets the server's answer. Refused for a reason that may pass on
    // a second try (a serialization conflict, a value only a bound parameter can carry): it runs alone.
    const retryAlone = failure instanceof UnsupportedLiteralError || isTransient(failure);
    // Its tenant leaves the shared batches for a while: the others are re-sent without that tenant's other
    // statements (which go alone), so a tenant whose statements keep failing costs the others one split, not one
    // per bad statement.
    let others = [...batch.slice(0, index), ...batch.slice(index + 1)];
    // A version conflict is a writer's race, not a tenant sending bad statements: it keeps its place in the batches.
    if (!retryAlone && failed.tenant !== undefined && !isVersionConflict(failure)) {
      this.isolate(failed);
      const tenant = failed.tenant;
      const theirs = others.filter((p) => p.tenant === tenant);
      others = others.filter((p) => p.tenant !== tenant);
      this.isolatedQueue.push(...theirs);
      this.pumpIsolated();
    }
    await Promise.all([retryAlone ? this.alone(failed) : Promise.resolve(failed.reject(failure)), others.length > 0 ? this.send(others) : undefined]);
  }

  private async alone(p: Pending): Promise<void> {
    try {
      if (p.item.namespace === undefined) p.resolve(await this.pool.query({ ...p.item.statement, values: p.item.values }));
      else p.resolve(await this.aloneScoped(p.item));
    } catch (e) {
      p.reject(e);
    }
  }

  /**
   * A lone tenant statement: one round trip as a batch of one (set_config + EXECUTE). A value text cannot carry
   * falls back to a bound statement in an explicit transaction (begin + set_config, the statement, commit).
   */
  private aloneScoped(item: BatchItem): Promise<QueryResult> {
    return withClient(this.pool, async (client, lease) => {
      try {
        return (await executeBatch(client, [item]))[0];
      } catch (e) {
        if (!(e instanceof UnsupportedLiteralError)) {
          // As in `send`: only a statement the server refused leaves the connection in a known state.
          if (!isStatementFailure(e)) lease.discard(e as Error);
          throw e;
        }
      }
      await client.query(`begin; select set_config('cave.namespace', ${client.escapeLiteral(item.namespace!)}, true)`);
      try {
        const result = await client.query({ ...item.statement, values: item.values });
        await client.query('commit');
        return result;
      } catch (e) {
        // A connection whose rollback failed may still hold the transaction: never hand it to the next caller.
        await client.query('rollback').catch((r: Error) => lease.discard(r));
        throw e;
      }
    });
  }
}

/** cave_append's "wrong expected version" (CV409): the caller re-reads and decides again, or answers 409. */
function isVersionConflict(e: unknown): boolean {
  return e instanceof DatabaseError && e.code === 'CV409';
}

/** Serialization failures and deadlocks (class 40): the statement itself may well succeed when re-run. */
function isTransient(e: unknown): boolean {
  return e instanceof DatabaseError && typeof e.code === 'string' && e.code.startsWith('40');
}

/**
 * The server refused a statement (and rolled the batch back), or a value could not be sent as text: the
 * connection is fine and nothing committed, so re-sending the other statements is safe. A cancelled statement
 * (57014, the statement timeout) is not: the whole batch was too slow, and re-running it would wait again.
 */
function isStatementFailure(e: unknown): boolean {
  return (
    e instanceof UnsupportedLiteralError ||
    (e instanceof DatabaseError && typeof e.code === 'string' && !e.code.startsWith('08') && !e.code.startsWith('57'))
  );
}
