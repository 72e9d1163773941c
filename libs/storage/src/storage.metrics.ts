import { Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import { MetricsService } from '@cave/observability';

/** Prometheus metrics of the storage context, on the app's registry. */
@Injectable()
export class StorageMetrics {
  readonly bytesWritten: Counter<'backend'>;
  readonly bytesRead: Counter<'backend'>;
  readonly swept: Counter<'kind'>;

  constructor(metrics: MetricsService) {
    this.bytesWritten = new Counter({ name: 'cave_storage_bytes_written_total', help: 'Object bytes made durable on the backend', labelNames: ['backend'], registers: [metrics.registry] });
    this.bytesRead = new Counter({ name: 'cave_storage_bytes_read_total', help: 'Object bytes streamed to clients', labelNames: ['backend'], registers: [metrics.registry] });
    this.swept = new Counter({ name: 'cave_storage_swept_total', help: 'Orphans the sweeper removed (blob = unreferenced bytes, temporary = half-written leftovers)', labelNames: ['kind'], registers: [metrics.registry] });
  }
}
