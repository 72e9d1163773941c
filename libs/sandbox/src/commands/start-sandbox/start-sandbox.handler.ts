import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { SandboxCommandResult } from '../command-meta';
import { SandboxCommandExecutor } from '../sandbox-command.executor';
import { StartSandboxCommand } from './start-sandbox.command';

@CommandHandler(StartSandboxCommand)
export class StartSandboxHandler implements ICommandHandler<StartSandboxCommand, SandboxCommandResult> {
  constructor(private readonly executor: SandboxCommandExecutor) {}

  execute({ sandboxId, meta }: StartSandboxCommand): Promise<SandboxCommandResult> {
    return this.executor.execute(sandboxId, { type: 'start', sandboxId }, meta);
  }
}
