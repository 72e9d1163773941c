import { Command } from '@nestjs/cqrs';
import type { WebhookCommandMeta } from '../command-meta';

/** Deletes an endpoint (and its secret); a no-op when already deleted. Queued deliveries to it are dead-lettered when due. */
export class DeleteEndpointCommand extends Command<void> {
  constructor(
    readonly endpointId: string,
    readonly meta: WebhookCommandMeta,
  ) {
    super();
  }
}
