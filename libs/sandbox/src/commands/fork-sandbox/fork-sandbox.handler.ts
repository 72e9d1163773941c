import { CommandBus, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Database } from '@cave/event-store';
import { SandboxNotFoundError } from '../../domain/sandbox.errors';
import { NotPersistentError, SnapshotNotFoundError } from '../../domain/runtime/sandbox-runtime.errors';
import { RuntimeEventsAppender } from '../../runtime-host/runtime-events.appender';
import { SandboxBlobs } from '../../runtime-host/sandbox-blobs';
import { SandboxRuntimeRepository } from '../../runtime-host/sandbox-runtime.repository';
import { SandboxCommandResult } from '../sandbox.stream';
import { CreateSandboxCommand } from '../create-sandbox/create-sandbox.command';
import { assertLoadable } from '../restore-snapshot/snapshot-compat';
import { parseSnapshotId } from '../../domain/runtime/snapshot-id';
import { ForkSandboxCommand } from './fork-sandbox.command';

/**
 * Creates the fork through the ordinary create command (same policy checks, `sandbox_created`), then
 * gives it the snapshot's image as its first durable state and records `sandbox_forked`. The fork
 * starts in state `created`, like every new sandbox.
 */
@CommandHandler(ForkSandboxCommand)
export class ForkSandboxHandler implements ICommandHandler<ForkSandboxCommand, SandboxCommandResult> {
  constructor(
    private readonly db: Database,
    private readonly repo: SandboxRuntimeRepository,
    private readonly events: RuntimeEventsAppender,
    private readonly commands: CommandBus,
    private readonly blobs: SandboxBlobs,
  ) {}

  async execute({ sandboxId, snapshotId: raw, meta }: ForkSandboxCommand): Promise<SandboxCommandResult> {
    const { source, snap, blob, snapshotId } = await this.db.tenant(meta.namespace, async (c) => {
      const source = await this.repo.sandbox(c, sandboxId);
      if (source.state === 'deleted') throw new SandboxNotFoundError(sandboxId);
      if (source.runtime !== 'javascript' || source.mode !== 'persistent') throw new NotPersistentError(sandboxId);
      const snapshotId = parseSnapshotId(raw);
      const snap = await this.repo.snapshot(c, snapshotId);
      if (!snap || snap.sandboxId !== sandboxId) throw new SnapshotNotFoundError(snapshotId);
      assertLoadable(snap);
      const blob = await this.blobs.get(meta.namespace, 'snapshot', snap.sha256, c);
      if (!blob) throw new SnapshotNotFoundError(snapshotId);
      return { source, snap, blob, snapshotId };
    });
    const name = `${source.name.slice(0, 90)}-fork`;
    const created: SandboxCommandResult = await this.commands.execute(
      new CreateSandboxCommand({ name, runtime: source.runtime, mode: source.mode, limits: source.limits, labels: source.labels }, meta),
    );
    if (created.replayed) return created;
    const forkId = created.sandbox.id;
    await this.db.tenant(meta.namespace, async (c) => {
      await this.repo.writeState(c, meta.namespace, forkId, 0, blob, snap.sha256, snap.id);
      await this.events.append(c, forkId, { type: 'sandbox_forked', data: { sandboxId: forkId, fromSandboxId: sandboxId, snapshotId } }, meta);
    });
    return created;
  }
}
