import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { CommandRunner, Database } from '@cave/event-store';
import { webhookEndpointStreamId } from '../../contracts/webhook.events';
import { EndpointNotFoundError } from '../../domain/webhook.errors';
import { endpointsReadModel } from '../../read-models/endpoints.read-model';
import { endpointStream } from '../register-endpoint/register-endpoint.handler';
import { DeleteEndpointCommand } from './delete-endpoint.command';

@CommandHandler(DeleteEndpointCommand)
export class DeleteEndpointHandler implements ICommandHandler<DeleteEndpointCommand, void> {
  constructor(
    private readonly db: Database,
    private readonly runner: CommandRunner,
  ) {}

  async execute(cmd: DeleteEndpointCommand): Promise<void> {
    const principal = cmd.meta;
    // Visibility first, with the caller's own rights: another tenant's endpoint is a 404, never a hint.
    const visible = await endpointsReadModel.visible(this.db, principal, cmd.endpointId);
    if (!visible) throw new EndpointNotFoundError(cmd.endpointId);
    await this.db.asAdmin(async (client) => {
      const { events, append } = await this.runner.run(endpointStream, {
        streamId: webhookEndpointStreamId(cmd.endpointId),
        command: { type: 'delete_endpoint', data: { endpointId: cmd.endpointId, now: new Date() } },
        meta: cmd.meta,
        namespace: visible.namespace,
        transaction: 'admin',
        client,
      });
      if (events.length === 0 || !append) return;
      const d = events[0].data as { deletedAt: string };
      await client.query(`update webhook_endpoints set deleted_at = $2, version = $3 where id = $1`, [cmd.endpointId, d.deletedAt, append.nextExpectedVersion]);
      await client.query(`delete from webhook_endpoint_secrets where endpoint_id = $1`, [cmd.endpointId]);
    });
  }
}
