import { Query } from '@nestjs/cqrs';
import type { Principal } from '@cave/kernel';
import type { DeliveryFilter, DeliveryView } from '../read-models/deliveries.read-model';
import type { WebhookEndpointView } from '../read-models/endpoints.read-model';

export class ListEndpointsQuery extends Query<WebhookEndpointView[]> {
  constructor(readonly principal: Principal) {
    super();
  }
}

export class GetEndpointQuery extends Query<WebhookEndpointView> {
  constructor(
    readonly principal: Principal,
    readonly endpointId: string,
  ) {
    super();
  }
}

export class ListDeliveriesQuery extends Query<DeliveryView[]> {
  constructor(
    readonly principal: Principal,
    readonly filter: DeliveryFilter,
  ) {
    super();
  }
}

export class GetDeliveryQuery extends Query<DeliveryView> {
  constructor(
    readonly principal: Principal,
    readonly deliveryId: string,
  ) {
    super();
  }
}
