import { Command } from '@nestjs/cqrs';
import { SandboxCommandMeta, SandboxCommandResult } from '../command-meta';

export class StopSandboxCommand extends Command<SandboxCommandResult> {
  constructor(
    readonly sandboxId: string,
    readonly meta: SandboxCommandMeta,
  ) {
    super();
  }
}
