import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { SandboxCommandResult } from '../command-meta';
import { SandboxCommandExecutor } from '../sandbox-command.executor';
import { StopSandboxCommand } from './stop-sandbox.command';

@CommandHandler(StopSandboxCommand)
export class StopSandboxHandler implements ICommandHandler<StopSandboxCommand, SandboxCommandResult> {
  constructor(private readonly executor: SandboxCommandExecutor) {}

  execute({ sandboxId, meta }: StopSandboxCommand): Promise<SandboxCommandResult> {
    return this.executor.execute(sandboxId, { type: 'stop', sandboxId }, meta);
  }
}
