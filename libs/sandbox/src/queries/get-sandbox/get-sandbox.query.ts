import { Query } from '@nestjs/cqrs';
import { SandboxView } from '../../projections/sandbox.read-model';

export class GetSandboxQuery extends Query<SandboxView> {
  constructor(
    readonly namespace: string,
    readonly sandboxId: string,
  ) {
    super();
  }
}
