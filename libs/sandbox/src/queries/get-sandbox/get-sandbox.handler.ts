import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { Database } from '@cave/event-store';
import { SandboxNotFoundError } from '../../domain/sandbox.errors';
import { SANDBOX_COLUMNS, SandboxRow, SandboxView, toSandboxView } from '../../projections/sandbox.read-model';
import { GetSandboxQuery } from './get-sandbox.query';

/** Reads one row as `cave_app` under the caller's namespace: another tenant's id is simply absent. */
@QueryHandler(GetSandboxQuery)
export class GetSandboxHandler implements IQueryHandler<GetSandboxQuery, SandboxView> {
  constructor(private readonly db: Database) {}

  async execute({ namespace, sandboxId }: GetSandboxQuery): Promise<SandboxView> {
    const rows = await this.db.tenant(namespace, async (c) =>
      (await c.query<SandboxRow>(`select ${SANDBOX_COLUMNS} from sandboxes where id = $1`, [sandboxId])).rows,
    );
    if (rows.length === 0) throw new SandboxNotFoundError(sandboxId);
    return toSandboxView(rows[0]);
  }
}
