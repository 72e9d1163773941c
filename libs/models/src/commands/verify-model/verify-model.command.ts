import { Command } from '@nestjs/cqrs';
import type { CommandMeta } from '@cave/kernel';
import type { ModelRecord } from '../../read-models/models.read-model';

export class VerifyModelCommand extends Command<ModelRecord> {
  constructor(
    readonly modelId: string,
    readonly meta: CommandMeta,
  ) {
    super();
  }
}
