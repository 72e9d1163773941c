import { randomBytes, randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { asDomainEvent, CommandRunner, CommandStream, Database } from '@cave/event-store';
import { WebhookSources } from '../../contracts/webhook-sources';
import { WEBHOOK_ENDPOINT_STREAM_TYPE, webhookEndpointStreamId } from '../../contracts/webhook.events';
import { EndpointCommand, endpointDecider, EndpointEvent, EndpointState } from '../../domain/endpoint.decider';
import { parseEndpointUrl, parseEventTypes, parseSecret } from '../../domain/endpoint.rules';
import { standardWebhooksKey } from '../../domain/webhook-signature';
import { AddressGuard } from '../../outbox/address-guard';
import { endpointsReadModel } from '../../read-models/endpoints.read-model';
import { RegisteredEndpoint, RegisterEndpointCommand } from './register-endpoint.command';

export const endpointStream: CommandStream<EndpointCommand, EndpointState, EndpointEvent> = {
  decider: endpointDecider,
  streamType: WEBHOOK_ENDPOINT_STREAM_TYPE,
  toEvent: asDomainEvent,
};

/** `whsec_` + 32 random bytes in base64: valid for both signature schemes. */
export function generateEndpointSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/**
 * Registers an endpoint in the caller's namespace. The write runs as cave_admin because the secret
 * goes to `webhook_endpoint_secrets`, which the runtime role cannot touch at all; the namespace is the
 * principal's own, so a member can only ever register for itself.
 */
@CommandHandler(RegisterEndpointCommand)
export class RegisterEndpointHandler implements ICommandHandler<RegisterEndpointCommand, RegisteredEndpoint> {
  private readonly logger = new Logger('Webhooks');

  constructor(
    private readonly db: Database,
    private readonly runner: CommandRunner,
    private readonly guard: AddressGuard,
    private readonly sources: WebhookSources,
  ) {}

  async execute(cmd: RegisterEndpointCommand): Promise<RegisteredEndpoint> {
    const url = parseEndpointUrl(cmd.url);
    const eventTypes = parseEventTypes(cmd.eventTypes, this.sources.eventTypes());
    const secret = cmd.secret === undefined ? generateEndpointSecret() : parseSecret(cmd.secret);
    await this.guard.resolve(url);
    const endpointId = randomUUID();
    const namespace = cmd.meta.namespace;
    const view = await this.db.asAdmin(async (client) => {
      const { events, append } = await this.runner.run(endpointStream, {
        streamId: webhookEndpointStreamId(endpointId),
        newStream: true,
        command: {
          type: 'register_endpoint',
          data: { endpointId, namespace, url: url.href, eventTypes, standardWebhooks: standardWebhooksKey(secret) !== undefined, now: new Date() },
        },
        meta: cmd.meta,
        transaction: 'admin',
        client,
      });
      const d = events[0].data as { registeredAt: string; standardWebhooks: boolean };
      await client.query(
        `insert into webhook_endpoints (id, namespace, url, event_types, standard_webhooks, created_at, created_by, version)
         values ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [endpointId, namespace, url.href, eventTypes, d.standardWebhooks, d.registeredAt, cmd.meta.actor, append!.nextExpectedVersion],
      );
      await client.query(`insert into webhook_endpoint_secrets (endpoint_id, secret) values ($1, $2)`, [endpointId, secret]);
      return endpointsReadModel.get(client, endpointId);
    });
    if (!view) throw new Error(`endpoint ${endpointId} vanished inside its own transaction`);
    this.logger.log(`webhook endpoint ${endpointId} registered in ${namespace} for ${eventTypes.join(', ')} by ${cmd.meta.actor}`);
    return { ...view, secret };
  }
}
