import { Command } from '@nestjs/cqrs';
import type { WebhookEndpointView } from '../../read-models/endpoints.read-model';
import type { WebhookCommandMeta } from '../command-meta';

/** The one result that carries the signing secret. */
export interface RegisteredEndpoint extends WebhookEndpointView {
  secret: string;
}

export class RegisterEndpointCommand extends Command<RegisteredEndpoint> {
  constructor(
    readonly url: string,
    readonly eventTypes: string[],
    readonly secret: string | undefined,
    readonly meta: WebhookCommandMeta,
  ) {
    super();
  }
}
