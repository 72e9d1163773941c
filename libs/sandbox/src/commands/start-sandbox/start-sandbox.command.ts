import { Command } from '@nestjs/cqrs';
import { SandboxCommandMeta, SandboxCommandResult } from '../command-meta';

export class StartSandboxCommand extends Command<SandboxCommandResult> {
  constructor(
    readonly sandboxId: string,
    readonly meta: SandboxCommandMeta,
  ) {
    super();
  }
}
