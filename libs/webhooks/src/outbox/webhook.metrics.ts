import { Injectable } from '@nestjs/common';
import { Counter, Histogram } from 'prom-client';
import { MetricsService } from '@cave/observability';

@Injectable()
export class WebhookMetrics {
  readonly attempts: Counter<'outcome'>;
  readonly latency: Histogram;

  constructor(metrics: MetricsService) {
    this.attempts = new Counter({
      name: 'cave_webhook_attempts_total',
      help: 'Webhook delivery attempts made by this instance, by outcome (succeeded, retrying, dead)',
      labelNames: ['outcome'] as const,
      registers: [metrics.registry],
    });
    this.latency = new Histogram({
      name: 'cave_webhook_attempt_seconds',
      help: 'Duration of webhook delivery attempts (until the response or the failure)',
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [metrics.registry],
    });
  }
}
