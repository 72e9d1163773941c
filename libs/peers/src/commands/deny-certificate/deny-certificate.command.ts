import { Command } from '@nestjs/cqrs';
import type { CommandMeta } from '@cave/kernel';
import type { DenyEntryView } from '../../read-models/deny-list.read-model';

export class DenyCertificateCommand extends Command<DenyEntryView> {
  constructor(
    readonly target: { serial?: string; nodeId?: string },
    readonly reason: string,
    readonly meta: CommandMeta,
  ) {
    super();
  }
}
