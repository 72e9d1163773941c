import { Command } from '@nestjs/cqrs';
import type { CommandMeta } from '@cave/kernel';
import type { ModelRecord } from '../../read-models/models.read-model';

/** Register the `.bkg` package stored as an object (`namespace` defaults to the caller's). */
export class ImportModelCommand extends Command<ModelRecord> {
  constructor(
    readonly source: { namespace: string; bucket: string; key: string },
    readonly meta: CommandMeta,
  ) {
    super();
  }
}
