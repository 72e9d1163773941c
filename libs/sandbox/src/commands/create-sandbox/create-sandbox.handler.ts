import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { withDefaultLimits } from '../../domain/sandbox-limits';
import { SandboxCommandResult } from '../command-meta';
import { SandboxCommandExecutor } from '../sandbox-command.executor';
import { CreateSandboxCommand } from './create-sandbox.command';
import { newSandboxId } from './sandbox-id';

@CommandHandler(CreateSandboxCommand)
export class CreateSandboxHandler implements ICommandHandler<CreateSandboxCommand, SandboxCommandResult> {
  constructor(private readonly executor: SandboxCommandExecutor) {}

  execute({ input, meta }: CreateSandboxCommand): Promise<SandboxCommandResult> {
    const sandboxId = newSandboxId(meta.namespace, meta.idempotencyKey);
    return this.executor.execute(
      sandboxId,
      {
        type: 'create',
        data: { sandboxId, name: input.name, runtime: input.runtime, mode: input.mode, limits: withDefaultLimits(input.limits), labels: input.labels ?? {} },
      },
      meta,
    );
  }
}
