import { Command } from '@nestjs/cqrs';
import type { CommandMeta } from '@cave/kernel';

export class UndenyCertificateCommand extends Command<void> {
  constructor(
    readonly entry: string,
    readonly meta: CommandMeta,
  ) {
    super();
  }
}
