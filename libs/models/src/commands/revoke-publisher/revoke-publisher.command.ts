import { Command } from '@nestjs/cqrs';
import type { CommandMeta } from '@cave/kernel';
import type { PublisherView } from '../../read-models/publishers.read-model';

export class RevokePublisherCommand extends Command<PublisherView> {
  constructor(
    readonly publisherId: string,
    readonly meta: CommandMeta,
  ) {
    super();
  }
}
