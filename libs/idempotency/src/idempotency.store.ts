import { Injectable, Optional } from '@nestjs/common';
import { Counter } from 'prom-client';
import { Database } from '@cave/event-store';
import { MetricsService } from '@cave/observability';

export interface StoredResponse {
  status: number;
  headers: Record<string, string>;
  /** Serialised JSON body exactly as first sent (null for an empty body). */
  body: string | null;
}

export type Claim =
  | { kind: 'claimed' }
  | { kind: 'replay'; response: StoredResponse }
  | { kind: 'mismatch' }
  | { kind: 'in_progress'; retryAfterSeconds: number };

export interface IdempotencyTimings {
  /** How long a claim is held before another request may take over (its owner is presumed dead). */
  leaseSeconds: number;
  /** How long a finished response is replayed (Stripe: 24 h). */
  retentionSeconds: number;
}

export const DEFAULT_TIMINGS: IdempotencyTimings = { leaseSeconds: 30, retentionSeconds: 24 * 3600 };

/**
 * Idempotency records in `idempotency_keys`, one per (namespace, key), always under the tenant's
 * RLS scope. The claim is a single upsert: among concurrent duplicates exactly one inserts (the
 * others wait on the primary key and then see its row), so only one request executes.
 */
@Injectable()
export class IdempotencyStore {
  timings: IdempotencyTimings = DEFAULT_TIMINGS;
  private readonly outcomes?: Counter<'outcome'>;

  constructor(
    private readonly db: Database,
    @Optional() metrics?: MetricsService,
  ) {
    this.outcomes = metrics
      ? new Counter({
          name: 'cave_idempotency_requests_total',
          help: 'Requests that carried an Idempotency-Key, by outcome (executed, replayed, mismatch, in_progress)',
          labelNames: ['outcome'] as const,
          registers: [metrics.registry],
        })
      : undefined;
  }

  count(outcome: 'executed' | 'replayed' | 'mismatch' | 'in_progress'): void {
    this.outcomes?.inc({ outcome });
  }

  async claim(namespace: string, key: string, fingerprint: string): Promise<Claim> {
    return this.db.tenant(namespace, async (c) => {
      const claimed = await c.query(
        `insert into idempotency_keys (namespace, idempotency_key, fingerprint, state, locked_until, expires_at)
         values ($1, $2, $3, 'in_progress', now() + make_interval(secs => $4), now() + make_interval(secs => $5))
         on conflict (namespace, idempotency_key) do update
           set fingerprint = excluded.fingerprint, state = 'in_progress', status = null, headers = null, body = null,
               locked_until = excluded.locked_until, created_at = now(), expires_at = excluded.expires_at
           where idempotency_keys.expires_at < now()
              or (idempotency_keys.state = 'in_progress' and idempotency_keys.locked_until < now()
                  and idempotency_keys.fingerprint = excluded.fingerprint)
         returning 1`,
        [namespace, key, fingerprint, this.timings.leaseSeconds, this.timings.retentionSeconds],
      );
      if (claimed.rowCount === 1) return { kind: 'claimed' } as const;
      const { rows } = await c.query<{ fingerprint: string; state: string; status: number; headers: Record<string, string>; body: string | null; lease: number }>(
        `select fingerprint, state, status, headers, body,
                case when created_at > now() - interval '2 seconds' then 1
                     else greatest(1, ceil(extract(epoch from locked_until - now())))::int end as lease
         from idempotency_keys where namespace = $1 and idempotency_key = $2`,
        [namespace, key],
      );
      const row = rows[0];
      if (row.fingerprint !== fingerprint) return { kind: 'mismatch' } as const;
      // A claim a moment old is most likely still running: come back in a second. An older one's owner may have
      // crashed, and a retry can only take over when its lease ends: that is when to come back.
      if (row.state === 'in_progress') return { kind: 'in_progress', retryAfterSeconds: row.lease } as const;
      return { kind: 'replay', response: { status: row.status, headers: row.headers, body: row.body } } as const;
    });
  }

  async complete(namespace: string, key: string, fingerprint: string, response: StoredResponse): Promise<void> {
    await this.db.tenant(namespace, (c) =>
      c.query(
        `update idempotency_keys set state = 'completed', status = $4, headers = $5, body = $6, locked_until = now()
         where namespace = $1 and idempotency_key = $2 and fingerprint = $3 and state = 'in_progress'`,
        [namespace, key, fingerprint, response.status, JSON.stringify(response.headers), response.body],
      ),
    );
  }

  /** Forgets a claim whose request failed: nothing was committed, so a retry may run again. */
  async release(namespace: string, key: string, fingerprint: string): Promise<void> {
    await this.db.tenant(namespace, (c) =>
      c.query(`delete from idempotency_keys where namespace = $1 and idempotency_key = $2 and fingerprint = $3 and state = 'in_progress'`, [
        namespace,
        key,
        fingerprint,
      ]),
    );
  }

  /** Deletes expired records of every namespace (system work, as the admin role). */
  async purgeExpired(): Promise<number> {
    return this.db.asAdmin(async (c) => (await c.query(`delete from idempotency_keys where expires_at < now()`)).rowCount ?? 0);
  }
}
