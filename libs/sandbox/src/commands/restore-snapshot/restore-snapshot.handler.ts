import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Database } from '@cave/event-store';
import { SandboxNotFoundError } from '../../domain/sandbox.errors';
import { ExecConflictError, NotPersistentError, SnapshotNotFoundError } from '../../domain/runtime/sandbox-runtime.errors';
import { RuntimeEventsAppender } from '../../runtime-host/runtime-events.appender';
import { SandboxRuntimeHost } from '../../runtime-host/sandbox-runtime.host';
import { SandboxBlobs } from '../../runtime-host/sandbox-blobs';
import { SandboxRuntimeRepository } from '../../runtime-host/sandbox-runtime.repository';
import { parseSnapshotId } from '../../domain/runtime/snapshot-id';
import { RestoreSnapshotCommand } from './restore-snapshot.command';
import { assertLoadable } from './snapshot-compat';

/** The snapshot's image becomes the durable state (a new version), so every daemon continues from it. */
@CommandHandler(RestoreSnapshotCommand)
export class RestoreSnapshotHandler implements ICommandHandler<RestoreSnapshotCommand, { snapshotId: string; stateVersion: number }> {
  constructor(
    private readonly db: Database,
    private readonly repo: SandboxRuntimeRepository,
    private readonly host: SandboxRuntimeHost,
    private readonly events: RuntimeEventsAppender,
    private readonly blobs: SandboxBlobs,
  ) {}

  async execute({ sandboxId, snapshotId: raw, meta }: RestoreSnapshotCommand): Promise<{ snapshotId: string; stateVersion: number }> {
    const release = this.host.acquire(meta.namespace, sandboxId, 'persistent', Number.MAX_SAFE_INTEGER);
    try {
      const result = await this.db.tenant(meta.namespace, async (c) => {
        const sandbox = await this.repo.sandbox(c, sandboxId, 'share');
        if (sandbox.state === 'deleted') throw new SandboxNotFoundError(sandboxId);
        if (sandbox.runtime !== 'javascript' || sandbox.mode !== 'persistent') throw new NotPersistentError(sandboxId);
        const snapshotId = parseSnapshotId(raw);
        const snap = await this.repo.snapshot(c, snapshotId);
        if (!snap || snap.sandboxId !== sandboxId) throw new SnapshotNotFoundError(snapshotId);
        assertLoadable(snap);
        const blob = await this.blobs.get(meta.namespace, 'snapshot', snap.sha256, c);
        if (!blob) throw new SnapshotNotFoundError(snapshotId);
        const state = await this.repo.state(c, sandboxId, true);
        if (!(await this.repo.writeState(c, meta.namespace, sandboxId, state.version, blob, snap.sha256, snap.id))) throw new ExecConflictError(sandboxId);
        const stateVersion = state.version + 1;
        await this.events.append(c, sandboxId, { type: 'sandbox_restored', data: { sandboxId, snapshotId, stateVersion } }, meta);
        return { snapshotId, stateVersion };
      });
      this.host.pool.evict(sandboxId);
      return result;
    } finally {
      release();
    }
  }
}
