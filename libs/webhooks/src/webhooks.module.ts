import { Inject, Module, OnModuleInit } from '@nestjs/common';
import { CAVE_CONFIG, CaveConfig } from '@cave/config';
import { ProjectionRegistry } from '@cave/projections';
import { WebhookSources } from './contracts/webhook-sources';
import { DeleteEndpointHandler } from './commands/delete-endpoint/delete-endpoint.handler';
import { RegisterEndpointHandler } from './commands/register-endpoint/register-endpoint.handler';
import { RetryDeliveryHandler } from './commands/retry-delivery/retry-delivery.handler';
import { WebhooksController } from './http/webhooks.controller';
import { AddressGuard } from './outbox/address-guard';
import { DeliveryRecorder } from './outbox/delivery-recorder';
import { outboxProjection } from './outbox/outbox.projection';
import { WebhookDispatcher } from './outbox/webhook-dispatcher';
import { WebhookMetrics } from './outbox/webhook.metrics';
import { GetDeliveryHandler, GetEndpointHandler, ListDeliveriesHandler, ListEndpointsHandler } from './queries/webhook-query.handlers';

/**
 * Webhooks: endpoints per namespace, the transactional outbox (a projector that queues one delivery
 * per target for every deliverable event) and the dispatcher that signs and sends them with retries.
 * Contexts make their events deliverable through `WebhookSources`. Needs EventStoreModule,
 * ConfigModule, ObservabilityModule, ProjectionsModule and CqrsModule from the root.
 */
@Module({
  controllers: [WebhooksController],
  providers: [
    WebhookSources,
    AddressGuard,
    DeliveryRecorder,
    WebhookDispatcher,
    WebhookMetrics,
    RegisterEndpointHandler,
    DeleteEndpointHandler,
    RetryDeliveryHandler,
    ListEndpointsHandler,
    GetEndpointHandler,
    ListDeliveriesHandler,
    GetDeliveryHandler,
  ],
  exports: [WebhookSources],
})
export class WebhooksModule implements OnModuleInit {
  constructor(
    private readonly projections: ProjectionRegistry,
    private readonly sources: WebhookSources,
    private readonly dispatcher: WebhookDispatcher,
    @Inject(CAVE_CONFIG) private readonly config: CaveConfig,
  ) {}

  onModuleInit(): void {
    this.projections.register(outboxProjection(this.sources, () => this.config.webhooks.rotationUrl !== undefined, () => this.dispatcher.kick()));
  }
}
