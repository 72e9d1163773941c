import { Command } from '@nestjs/cqrs';
import { SandboxCommandMeta, SandboxCommandResult } from '../command-meta';

export class DeleteSandboxCommand extends Command<SandboxCommandResult> {
  constructor(
    readonly sandboxId: string,
    readonly meta: SandboxCommandMeta,
  ) {
    super();
  }
}
