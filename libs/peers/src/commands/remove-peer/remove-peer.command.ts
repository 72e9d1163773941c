import { Command } from '@nestjs/cqrs';
import type { CommandMeta } from '@cave/kernel';

export class RemovePeerCommand extends Command<void> {
  constructor(
    readonly peerId: string,
    readonly meta: CommandMeta,
  ) {
    super();
  }
}
