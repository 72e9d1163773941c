import { Command } from '@nestjs/cqrs';
import type { CommandMeta } from '@cave/kernel';
import type { PublisherView } from '../../read-models/publishers.read-model';

export class TrustPublisherCommand extends Command<{ publisher: PublisherView; created: boolean }> {
  constructor(
    readonly publicKey: string,
    readonly label: string | undefined,
    readonly meta: CommandMeta,
  ) {
    super();
  }
}
