import { Command } from '@nestjs/cqrs';
import type { CommandMeta } from '@cave/kernel';

export class DeleteModelCommand extends Command<void> {
  constructor(
    readonly modelId: string,
    readonly meta: CommandMeta,
  ) {
    super();
  }
}
