import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/**
 * One Prometheus registry per application instance (not the global default) so several apps in
 * one process, as in tests, never collide on metric names.
 */
@Injectable()
export class MetricsService {
  /** What anyone may see: the process's own runtime metrics, nothing about tenants or their activity. */
  readonly publicRegistry = new Registry();
  /** Everything else (activity, namespaces, channels): /metrics shows it to admin keys only. */
  readonly registry = new Registry();
  readonly httpDuration = new Histogram({
    name: 'cave_http_request_duration_seconds',
    help: 'HTTP request duration by method, route template and status code',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly eventsAppended = new Counter({
    name: 'cave_events_appended_total',
    help: 'Events committed to the event store, by stream type',
    labelNames: ['stream_type'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.publicRegistry });
  }
}
