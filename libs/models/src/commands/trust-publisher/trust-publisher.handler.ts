import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Database } from '@cave/event-store';
import { InvalidInputError } from '@cave/kernel';
import { parsePublicKey, publisherIdOf, rawPublicKey } from '../../domain/publisher-key';
import { PublisherView, publishersReadModel } from '../../read-models/publishers.read-model';
import { ModelStreams } from '../../registry/model-streams';
import { TrustPublisherCommand } from './trust-publisher.command';

const LABEL = /^[\x20-\x7e]{1,128}$/;

/** Trusts an Ed25519 publisher key (PEM or raw base64); its id is derived, so a retry lands on the same stream. */
@CommandHandler(TrustPublisherCommand)
export class TrustPublisherHandler implements ICommandHandler<TrustPublisherCommand> {
  constructor(
    private readonly db: Database,
    private readonly streams: ModelStreams,
  ) {}

  async execute(cmd: TrustPublisherCommand): Promise<{ publisher: PublisherView; created: boolean }> {
    const key = parsePublicKey(cmd.publicKey);
    if (cmd.label !== undefined && !LABEL.test(cmd.label)) throw new InvalidInputError([{ field: 'label', message: 'must be 1 to 128 printable ASCII characters' }]);
    const publisherId = publisherIdOf(key);
    const { events } = await this.streams.publisher(
      publisherId,
      { type: 'trust_publisher', data: { publisherId, publicKey: rawPublicKey(key).toString('base64'), label: cmd.label ?? null, now: new Date() } },
      cmd.meta,
    );
    const publisher = await this.db.asAdmin((c) => publishersReadModel.get(c, publisherId));
    return { publisher: publisher!, created: events.length > 0 };
  }
}
