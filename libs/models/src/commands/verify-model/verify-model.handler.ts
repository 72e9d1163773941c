import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import type { ModelRecord } from '../../read-models/models.read-model';
import { ModelChecks } from '../../registry/registry.service';
import { VerifyModelCommand } from './verify-model.command';

@CommandHandler(VerifyModelCommand)
export class VerifyModelHandler implements ICommandHandler<VerifyModelCommand> {
  constructor(private readonly checks: ModelChecks) {}

  execute(cmd: VerifyModelCommand): Promise<ModelRecord> {
    return this.checks.verify(cmd.modelId, cmd.meta);
  }
}
