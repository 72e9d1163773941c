import { Command } from '@nestjs/cqrs';
import type { DeliveryView } from '../../read-models/deliveries.read-model';
import type { WebhookCommandMeta } from '../command-meta';

/** Gives a dead-lettered delivery a fresh round of attempts, starting now. */
export class RetryDeliveryCommand extends Command<DeliveryView> {
  constructor(
    readonly deliveryId: string,
    readonly meta: WebhookCommandMeta,
  ) {
    super();
  }
}
