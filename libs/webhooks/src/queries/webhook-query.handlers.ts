import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { Database } from '@cave/event-store';
import { DeliveryNotFoundError, EndpointNotFoundError } from '../domain/webhook.errors';
import { deliveriesReadModel, DeliveryView } from '../read-models/deliveries.read-model';
import { endpointsReadModel, WebhookEndpointView } from '../read-models/endpoints.read-model';
import { GetDeliveryQuery, GetEndpointQuery, ListDeliveriesQuery, ListEndpointsQuery } from './webhook.queries';

/** Members see their namespace through RLS; admins see every namespace (as cave_admin behind the guard). */
@QueryHandler(ListEndpointsQuery)
export class ListEndpointsHandler implements IQueryHandler<ListEndpointsQuery, WebhookEndpointView[]> {
  constructor(private readonly db: Database) {}
  execute(q: ListEndpointsQuery): Promise<WebhookEndpointView[]> {
    return deliveriesReadModel.scoped(this.db, q.principal, (c) => endpointsReadModel.list(c));
  }
}

@QueryHandler(GetEndpointQuery)
export class GetEndpointHandler implements IQueryHandler<GetEndpointQuery, WebhookEndpointView> {
  constructor(private readonly db: Database) {}
  async execute(q: GetEndpointQuery): Promise<WebhookEndpointView> {
    const view = await endpointsReadModel.visible(this.db, q.principal, q.endpointId);
    if (!view) throw new EndpointNotFoundError(q.endpointId);
    return view;
  }
}

@QueryHandler(ListDeliveriesQuery)
export class ListDeliveriesHandler implements IQueryHandler<ListDeliveriesQuery, DeliveryView[]> {
  constructor(private readonly db: Database) {}
  execute(q: ListDeliveriesQuery): Promise<DeliveryView[]> {
    return deliveriesReadModel.scoped(this.db, q.principal, (c) => deliveriesReadModel.list(c, q.filter));
  }
}

@QueryHandler(GetDeliveryQuery)
export class GetDeliveryHandler implements IQueryHandler<GetDeliveryQuery, DeliveryView> {
  constructor(private readonly db: Database) {}
  async execute(q: GetDeliveryQuery): Promise<DeliveryView> {
    const view = await deliveriesReadModel.scoped(this.db, q.principal, (c) => deliveriesReadModel.get(c, q.deliveryId));
    if (!view) throw new DeliveryNotFoundError(q.deliveryId);
    return view;
  }
}
