import { Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import { MetricsService } from '@cave/observability';

/** Rejected requests by reason: a spike of `invalid` is someone guessing or a leaked, revoked key in use. */
@Injectable()
export class AuthMetrics {
  readonly failures: Counter<'reason'>;

  constructor(metrics: MetricsService) {
    this.failures = new Counter({
      name: 'cave_auth_failures_total',
      help: 'Requests rejected by the API-key guard, by reason (missing, malformed, invalid, forbidden, throttled)',
      labelNames: ['reason'] as const,
      registers: [metrics.registry],
    });
  }
}
