import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Database } from '@cave/event-store';
import { PublisherView, publishersReadModel } from '../../read-models/publishers.read-model';
import { ModelStreams } from '../../registry/model-streams';
import { RevokePublisherCommand } from './revoke-publisher.command';

/**
 * Revokes trust: new packages of this key are refused from now on. Registered models stay as they are until
 * verified again (which then fails with MODELS.PUBLISHER_UNTRUSTED and closes their activations).
 */
@CommandHandler(RevokePublisherCommand)
export class RevokePublisherHandler implements ICommandHandler<RevokePublisherCommand> {
  constructor(
    private readonly db: Database,
    private readonly streams: ModelStreams,
  ) {}

  async execute(cmd: RevokePublisherCommand): Promise<PublisherView> {
    await this.streams.publisher(cmd.publisherId, { type: 'revoke_publisher', data: { publisherId: cmd.publisherId, now: new Date() } }, cmd.meta);
    return (await this.db.asAdmin((c) => publishersReadModel.get(c, cmd.publisherId)))!;
  }
}
