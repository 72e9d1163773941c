import { Command } from '@nestjs/cqrs';
import type { CommandMeta } from '@cave/kernel';
import type { ModelRecord } from '../../read-models/models.read-model';

/** Open (`active: true`) or close a verified model to a namespace. */
export class SetActivationCommand extends Command<ModelRecord> {
  constructor(
    readonly modelId: string,
    readonly namespace: string,
    readonly active: boolean,
    readonly meta: CommandMeta,
  ) {
    super();
  }
}
