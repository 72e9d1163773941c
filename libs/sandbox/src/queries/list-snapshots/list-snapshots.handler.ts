import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { Database } from '@cave/event-store';
import { SandboxNotFoundError } from '../../domain/sandbox.errors';
import { SnapshotView } from '../../commands/create-snapshot/create-snapshot.command';
import { toSnapshotView } from '../../commands/create-snapshot/create-snapshot.handler';
import { SandboxRuntimeRepository } from '../../runtime-host/sandbox-runtime.repository';
import { ListSnapshotsQuery } from './list-snapshots.query';

@QueryHandler(ListSnapshotsQuery)
export class ListSnapshotsHandler implements IQueryHandler<ListSnapshotsQuery, { items: SnapshotView[]; head: string | null }> {
  constructor(
    private readonly db: Database,
    private readonly repo: SandboxRuntimeRepository,
  ) {}

  execute({ namespace, sandboxId }: ListSnapshotsQuery): Promise<{ items: SnapshotView[]; head: string | null }> {
    return this.db.tenant(namespace, async (c) => {
      const sandbox = await this.repo.sandbox(c, sandboxId);
      // A deleted sandbox's snapshots are gone for tenants at once (the rows follow after commit).
      if (sandbox.state === 'deleted') throw new SandboxNotFoundError(sandboxId);
      const [items, state] = await Promise.all([this.repo.snapshots(c, sandboxId), this.repo.state(c, sandboxId)]);
      return { items: items.map(toSnapshotView), head: state.headSnapshot };
    });
  }
}
