import { Global, Module, OnModuleInit } from '@nestjs/common';
import { EventStore } from '@cave/event-store';
import { HealthRegistry } from './health-registry';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';

@Global()
@Module({ controllers: [MetricsController], providers: [MetricsService, HealthRegistry], exports: [MetricsService, HealthRegistry] })
export class ObservabilityModule implements OnModuleInit {
  constructor(
    private readonly metrics: MetricsService,
    private readonly store: EventStore,
  ) {}

  onModuleInit(): void {
    this.store.onAppend((n, streamType) => this.metrics.eventsAppended.inc({ stream_type: streamType }, n));
  }
}
