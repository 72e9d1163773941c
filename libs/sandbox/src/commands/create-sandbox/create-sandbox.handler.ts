import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Optional } from '@nestjs/common';
import { SandboxPolicyCheck } from '../../runtime-host/sandbox-policy.check';
import { withDefaultLimits } from '../../domain/sandbox-limits';
import { SandboxCommandResult } from '../command-meta';
import { SandboxCommandExecutor } from '../sandbox-command.executor';
import { CreateSandboxCommand } from './create-sandbox.command';
import { newSandboxId } from './sandbox-id';

@CommandHandler(CreateSandboxCommand)
export class CreateSandboxHandler implements ICommandHandler<CreateSandboxCommand, SandboxCommandResult> {
  constructor(
    private readonly executor: SandboxCommandExecutor,
    // Optional so the lifecycle can be exercised without the runtime tables (unit tests); the module always provides it.
    @Optional() private readonly policy?: SandboxPolicyCheck,
  ) {}

  async execute({ input, meta }: CreateSandboxCommand): Promise<SandboxCommandResult> {
    const sandboxId = newSandboxId(meta.namespace, meta.idempotencyKey);
    const limits = withDefaultLimits(input.limits);
    // The namespace's policy (issue 12): allowed runtime and mode, limits at or under its maxima, sandbox count.
    await this.policy?.assertAllowed(meta.namespace, { runtime: input.runtime, mode: input.mode, limits });
    return this.executor.execute(
      sandboxId,
      { type: 'create', data: { sandboxId, name: input.name, runtime: input.runtime, mode: input.mode, limits, labels: input.labels ?? {} } },
      meta,
    );
  }
}
