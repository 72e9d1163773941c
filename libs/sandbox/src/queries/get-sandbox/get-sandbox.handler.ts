import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { Database } from '@cave/event-store';
import { readSandbox, SandboxView } from '../../projections/sandbox.read-model';
import { GetSandboxQuery } from './get-sandbox.query';

/** Reads one row as `cave_app` under the caller's namespace: another tenant's id is simply absent. */
@QueryHandler(GetSandboxQuery)
export class GetSandboxHandler implements IQueryHandler<GetSandboxQuery, SandboxView> {
  constructor(private readonly db: Database) {}

  execute({ namespace, sandboxId }: GetSandboxQuery): Promise<SandboxView> {
    return readSandbox(this.db, namespace, sandboxId);
  }
}
