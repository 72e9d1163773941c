import { Command } from '@nestjs/cqrs';
import { SandboxLimits, SandboxMode, SandboxRuntime } from '../../domain/sandbox.events';
import { SandboxCommandMeta, SandboxCommandResult } from '../command-meta';

export class CreateSandboxCommand extends Command<SandboxCommandResult> {
  constructor(
    readonly input: {
      name: string;
      runtime: SandboxRuntime;
      mode: SandboxMode;
      limits?: Partial<SandboxLimits>;
      labels?: Record<string, string>;
    },
    readonly meta: SandboxCommandMeta,
  ) {
    super();
  }
}
