import { Global, Module, OnModuleInit } from '@nestjs/common';
import { Database, EventStore } from '@cave/event-store';
import { registerBatchMetrics } from './batch.metrics';
import { HealthRegistry } from './health-registry';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';

@Global()
@Module({ controllers: [MetricsController], providers: [MetricsService, HealthRegistry], exports: [MetricsService, HealthRegistry] })
export class ObservabilityModule implements OnModuleInit {
  constructor(
    private readonly metrics: MetricsService,
    private readonly store: EventStore,
    private readonly db: Database,
  ) {}

  onModuleInit(): void {
    this.store.onAppend((n, streamType) => this.metrics.eventsAppended.inc({ stream_type: streamType }, n));
    registerBatchMetrics(this.metrics.registry, this.db);
  }
}
