import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import type { ModelRecord } from '../../read-models/models.read-model';
import { PackageIntake } from '../../registry/package-intake';
import { RegisterModelCommand } from './register-model.command';

@CommandHandler(RegisterModelCommand)
export class RegisterModelHandler implements ICommandHandler<RegisterModelCommand> {
  constructor(private readonly intake: PackageIntake) {}

  execute(cmd: RegisterModelCommand): Promise<ModelRecord> {
    return this.intake.fromPackage(cmd.body, { kind: 'upload' }, cmd.meta);
  }
}
