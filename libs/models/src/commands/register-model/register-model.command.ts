import type { Readable } from 'node:stream';
import { Command } from '@nestjs/cqrs';
import type { CommandMeta } from '@cave/kernel';
import type { ModelRecord } from '../../read-models/models.read-model';

/** Register the `.bkg` package streamed in `body` (never buffered whole). */
export class RegisterModelCommand extends Command<ModelRecord> {
  constructor(
    readonly body: Readable,
    readonly meta: CommandMeta,
  ) {
    super();
  }
}
