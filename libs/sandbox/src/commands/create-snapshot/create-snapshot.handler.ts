import { randomUUID } from 'node:crypto';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Database } from '@cave/event-store';
import { SandboxNotFoundError } from '../../domain/sandbox.errors';
import { NoStateError, NotPersistentError } from '../../domain/runtime/sandbox-runtime.errors';
import { snapshotHeader } from '../../runtimes/snapshot-codec';
import { RuntimeEventsAppender } from '../../runtime-host/runtime-events.appender';
import { SandboxRuntimeHost } from '../../runtime-host/sandbox-runtime.host';
import { SandboxBlobs } from '../../runtime-host/sandbox-blobs';
import { SandboxRuntimeRepository, SnapshotRow } from '../../runtime-host/sandbox-runtime.repository';
import { CreateSnapshotCommand, SnapshotView } from './create-snapshot.command';

export function toSnapshotView(s: SnapshotRow): SnapshotView {
  return { snapshotId: s.id, sandboxId: s.sandboxId, parentId: s.parentId, sha256: s.sha256, sizeBytes: s.sizeBytes, variant: s.variant, variantVersion: s.variantVersion, createdAt: s.createdAt };
}

/**
 * The durable state after the last exec is already a compressed, content-addressed memory image taken
 * at rest, so a snapshot copies it into the blob table under its hash (identical states share one blob)
 * and records its place in the tree: parent = the snapshot the state descends from.
 */
@CommandHandler(CreateSnapshotCommand)
export class CreateSnapshotHandler implements ICommandHandler<CreateSnapshotCommand, SnapshotView> {
  constructor(
    private readonly db: Database,
    private readonly repo: SandboxRuntimeRepository,
    private readonly host: SandboxRuntimeHost,
    private readonly events: RuntimeEventsAppender,
    private readonly blobs: SandboxBlobs,
  ) {}

  async execute({ sandboxId, meta }: CreateSnapshotCommand): Promise<SnapshotView> {
    const release = this.host.acquire(meta.namespace, sandboxId, 'persistent', Number.MAX_SAFE_INTEGER);
    try {
      return await this.db.tenant(meta.namespace, async (c) => {
        const sandbox = await this.repo.sandbox(c, sandboxId, 'share');
        if (sandbox.state === 'deleted') throw new SandboxNotFoundError(sandboxId);
        if (sandbox.runtime !== 'javascript' || sandbox.mode !== 'persistent') throw new NotPersistentError(sandboxId);
        const state = await this.repo.state(c, sandboxId, true);
        const image = state.version > 0 ? await this.repo.stateImage(c, sandboxId, state.version) : undefined;
        if (!image || !state.imageSha256) throw new NoStateError(sandboxId);
        const header = snapshotHeader(image);
        await this.blobs.put(meta.namespace, 'snapshot', state.imageSha256, image, meta.actor);
        const row = await this.repo.insertSnapshot(c, meta.namespace, {
          id: randomUUID(),
          sandboxId,
          parentId: state.headSnapshot,
          sha256: state.imageSha256,
          sizeBytes: image.byteLength,
          rawBytes: header.pages * 65_536,
          variant: header.variant,
          variantVersion: header.version,
        });
        await this.events.append(
          c,
          sandboxId,
          { type: 'sandbox_snapshot_created', data: { sandboxId, snapshotId: row.id, parentId: row.parentId, sha256: row.sha256, sizeBytes: row.sizeBytes, variant: row.variant, variantVersion: row.variantVersion } },
          meta,
        );
        return toSnapshotView(row);
      });
    } finally {
      release();
    }
  }
}
