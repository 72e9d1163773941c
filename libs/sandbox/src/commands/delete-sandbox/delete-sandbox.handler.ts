import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { SandboxCommandResult } from '../command-meta';
import { SandboxCommandExecutor } from '../sandbox-command.executor';
import { DeleteSandboxCommand } from './delete-sandbox.command';

@CommandHandler(DeleteSandboxCommand)
export class DeleteSandboxHandler implements ICommandHandler<DeleteSandboxCommand, SandboxCommandResult> {
  constructor(private readonly executor: SandboxCommandExecutor) {}

  execute({ sandboxId, meta }: DeleteSandboxCommand): Promise<SandboxCommandResult> {
    return this.executor.execute(sandboxId, { type: 'delete', sandboxId }, meta);
  }
}
