import { randomUUID } from 'node:crypto';
import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { CAVE_CONFIG, CaveConfig } from '@cave/config';
import { ConcurrencyError, Database } from '@cave/event-store';
import { LogThrottle } from '@cave/observability';
import { signatureHeaders } from '../domain/webhook-signature';
import { AttemptResult, judgeAttempt, retryDelayMs } from '../domain/retry-policy';
import { PrivateAddressError } from '../domain/webhook.errors';
import { AddressGuard } from './address-guard';
import { DELIVERY_COLUMNS, DeliveryRecorder, DeliveryRow } from './delivery-recorder';
import { sendWebhook } from './webhook-sender';
import { WebhookMetrics } from './webhook.metrics';

export const DISPATCHER_ACTOR = 'system:webhooks';
/** Longest idle sleep: also how soon another instance's new work is noticed without a wake-up. */
const MAX_IDLE_MS = 1000;

interface Target {
  url: URL;
  secrets: string[];
}

/**
 * Sends queued deliveries. Every instance runs one: a claim takes due rows with `FOR UPDATE SKIP
 * LOCKED` and stamps a lease (timeout + 5 s), so two daemons never send the same attempt, and a daemon
 * that dies mid-send leaves a lease that simply runs out. Each claimed delivery is sent on its own
 * (up to `concurrency` at once), so a hanging endpoint occupies one slot for at most its timeout and
 * never delays the others.
 */
@Injectable()
export class WebhookDispatcher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Webhooks');
  /** The claim loop polls: while the database is down, one line per 30 s. */
  private readonly claimFailures = new LogThrottle(30_000);
  private readonly instance = randomUUID();
  private readonly inFlight = new Set<Promise<void>>();
  private stopped = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  private kicked = false;

  constructor(
    @Inject(CAVE_CONFIG) private readonly config: CaveConfig,
    private readonly db: Database,
    private readonly guard: AddressGuard,
    private readonly recorder: DeliveryRecorder,
    private readonly metrics: WebhookMetrics,
  ) {}

  onApplicationBootstrap(): void {
    this.loop = this.run();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.kick();
    await this.loop;
    // An attempt cut short here is sent again when its lease runs out (at-least-once).
    await Promise.allSettled([...this.inFlight]);
  }

  /** New work may be due (the outbox committed, a retry was requested). */
  kick(): void {
    this.kicked = true;
    this.wake?.();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      this.kicked = false;
      const free = this.config.webhooks.concurrency - this.inFlight.size;
      let claimed: DeliveryRow[] = [];
      try {
        if (free > 0) claimed = await this.claim(free);
        this.claimFailures.clear('claim');
      } catch (e) {
        const line = this.claimFailures.admit('claim');
        if (line) this.logger.warn({ err: e, suppressed: line.suppressed }, 'webhook claim failed; retrying');
      }
      for (const row of claimed) this.track(this.attempt(row));
      if (this.stopped) break;
      if (free > 0 && claimed.length === free) continue;
      await this.sleep(await this.idleMs().catch(() => MAX_IDLE_MS));
    }
  }

  private track(p: Promise<void>): void {
    const tracked = p
      .catch((e: unknown) => this.logger.error({ err: e }, 'webhook attempt failed unexpectedly'))
      .finally(() => {
        this.inFlight.delete(tracked);
        this.kick();
      });
    this.inFlight.add(tracked);
  }

  private sleep(ms: number): Promise<void> {
    if (this.kicked || this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = undefined;
        done();
      };
    });
  }

  private async claim(limit: number): Promise<DeliveryRow[]> {
    const leaseMs = this.config.webhooks.timeoutMs + 5000;
    const { rows } = await this.db.admin.query<DeliveryRow>(
      `update webhook_deliveries d set lease_until = now() + $2 * interval '1 millisecond', leased_by = $3
       where d.id in (
         select id from webhook_deliveries
         where status = 'pending' and next_attempt_at <= now() and (lease_until is null or lease_until < now())
         order by next_attempt_at limit $1 for update skip locked)
       returning ${DELIVERY_COLUMNS.split(', ').map((c) => `d.${c}`).join(', ')}`,
      [limit, leaseMs, this.instance],
    );
    return rows;
  }

  /** Until the earliest pending delivery (or lease) is due, bounded to [10 ms, 1 s]. */
  private async idleMs(): Promise<number> {
    const { rows } = await this.db.admin.query<{ ms: number | null }>(
      `select extract(epoch from min(greatest(next_attempt_at, coalesce(lease_until, next_attempt_at))) - now()) * 1000 as ms
       from webhook_deliveries where status = 'pending'`,
    );
    const ms = rows[0]?.ms;
    return ms === null || ms === undefined ? MAX_IDLE_MS : Math.min(MAX_IDLE_MS, Math.max(10, Math.ceil(Number(ms))));
  }

  private async attempt(row: DeliveryRow): Promise<void> {
    const started = new Date();
    let result: AttemptResult;
    let latencyMs = 0;
    const target = await this.target(row);
    if (typeof target === 'string') {
      result = { kind: 'refused', message: target };
    } else {
      try {
        const address = await this.guard.resolve(target.url);
        const t = Math.floor(Date.now() / 1000);
        const headers = signatureHeaders(target.secrets, row.webhook_id, t, row.payload);
        const sent = await sendWebhook(target.url, address, row.payload, headers, this.config.webhooks.timeoutMs);
        result = sent.result;
        latencyMs = sent.latencyMs;
      } catch (e) {
        result = e instanceof PrivateAddressError ? { kind: 'refused', message: e.message } : { kind: 'connection_error', message: (e as { code?: string }).code ?? 'resolution failed' };
      }
    }
    await this.record(row, started, result, latencyMs);
  }

  /** Where and with which secrets; a string explains why there is nowhere to send (final). */
  private async target(row: DeliveryRow): Promise<Target | string> {
    const w = this.config.webhooks;
    if (row.target === 'operator') {
      if (w.rotationUrl === undefined || w.rotationSecret === undefined) return 'CAVE_ROTATION_WEBHOOK_URL is no longer configured';
      return { url: new URL(w.rotationUrl), secrets: [w.rotationSecret, ...(w.rotationPreviousSecret ? [w.rotationPreviousSecret] : [])] };
    }
    const { rows } = await this.db.admin.query<{ url: string; secret: string | null; deleted_at: Date | null }>(
      `select e.url, s.secret, e.deleted_at from webhook_endpoints e left join webhook_endpoint_secrets s on s.endpoint_id = e.id where e.id = $1`,
      [row.endpoint_id],
    );
    if (rows.length === 0 || rows[0].deleted_at !== null || rows[0].secret === null) return 'the endpoint was deleted';
    return { url: new URL(rows[0].url), secrets: [rows[0].secret] };
  }

  private async record(row: DeliveryRow, at: Date, result: AttemptResult, latencyMs: number): Promise<void> {
    const verdict = judgeAttempt(result);
    const w = this.config.webhooks;
    const roundAttempts = row.round_attempts + 1;
    const retry = verdict.outcome === 'failed' && verdict.retryable && roundAttempts < w.maxAttempts;
    const retryAfter = result.kind === 'response' ? result.retryAfterSeconds : undefined;
    const next = retry ? new Date(Date.now() + retryDelayMs(roundAttempts, { maxAttempts: w.maxAttempts, baseMs: w.backoffBaseMs, maxMs: w.backoffMaxMs }, Math.random, retryAfter)) : null;
    const succeeded = verdict.outcome === 'succeeded';
    const data = {
      deliveryId: row.id,
      webhookId: row.webhook_id,
      endpointId: row.endpoint_id,
      attempt: row.attempts + 1,
      statusCode: result.kind === 'response' ? result.statusCode : null,
      latencyMs,
      error: succeeded ? null : describe(result, w.timeoutMs),
      attemptedAt: at.toISOString(),
      nextAttemptAt: next?.toISOString() ?? null,
      deadLettered: !succeeded && !retry,
    };
    this.metrics.latency.observe(latencyMs / 1000);
    try {
      await this.recorder.record(row, { type: 'record_attempt', data: { ...data, succeeded } }, { actor: DISPATCHER_ACTOR, namespace: row.namespace, role: 'admin', correlationId: row.webhook_id, channel: 'system' }, async (client, state, version) => {
        await client.query(
          `update webhook_deliveries set status = $2, attempts = $3, round_attempts = $4, next_attempt_at = coalesce($5, next_attempt_at),
             lease_until = null, leased_by = null, last_status_code = $6, last_error = $7, delivered_at = $8, version = $9
           where id = $1`,
          [row.id, state.status, state.attempts, state.roundAttempts, next, data.statusCode, data.error, succeeded ? new Date() : null, version],
        );
        await client.query(
          `insert into webhook_delivery_attempts (delivery_id, attempt, namespace, outcome, status_code, latency_ms, error, attempted_at, next_attempt_at)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
          [row.id, data.attempt, row.namespace, succeeded ? 'succeeded' : 'failed', data.statusCode, latencyMs, data.error, at, next],
        );
      });
      this.metrics.attempts.inc({ outcome: succeeded ? 'succeeded' : retry ? 'retrying' : 'dead' });
      const level = succeeded ? 'log' : 'warn';
      this.logger[level](`webhook ${row.webhook_id} delivery ${row.id} attempt ${data.attempt}: ${succeeded ? `delivered (${data.statusCode})` : `${data.error}${retry ? `, retry at ${data.nextAttemptAt}` : ', dead-lettered'}`}`);
    } catch (e) {
      // Another instance recorded this attempt (our lease ran out): its record stands, ours is dropped.
      if (e instanceof ConcurrencyError) return;
      throw e;
    }
  }
}

function describe(r: AttemptResult, timeoutMs: number): string {
  switch (r.kind) {
    case 'response':
      return `HTTP ${r.statusCode}`;
    case 'timeout':
      return `timeout after ${timeoutMs} ms`;
    case 'connection_error':
      return `connection error ${r.message}`;
    case 'refused':
      return r.message;
  }
}
