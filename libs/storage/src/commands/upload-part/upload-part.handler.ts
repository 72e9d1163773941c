import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import type { PoolClient } from 'pg';
import { CAVE_CONFIG, CaveConfig } from '@cave/config';
import { Database, EventStore, CommandRunner } from '@cave/event-store';
import { BLOB_BACKEND, BlobBackend } from '../../backends/blob-backend';
import { checkQuota, quotaOf } from '../../domain/quota';
import { BlobMissingError, InvalidPartsError, ObjectTooLargeError, UploadNotFoundError, UploadNotOpenError } from '../../domain/storage.errors';
import { uploadStreamId } from '../../domain/streams';
import { MAX_PARTS } from '../../domain/upload.decider';
import { uploadProjection } from '../../projections/storage.write';
import { ObjectWriter } from '../object-writer';
import { UPLOAD_STREAM } from '../storage-meta';
import { loadUpload, UUID } from '../upload-stream';
import { lockBlobShared, lockUsage, readUsage } from '../storage-usage';
import { PartView, UploadPartCommand } from './upload-part.command';

/** A part is a blob of its own until completion composes the object; its bytes count against the quota. */
@CommandHandler(UploadPartCommand)
export class UploadPartHandler implements ICommandHandler<UploadPartCommand, PartView> {
  constructor(
    private readonly db: Database,
    private readonly store: EventStore,
    private readonly runner: CommandRunner,
    private readonly writer: ObjectWriter,
    @Inject(BLOB_BACKEND) private readonly backend: BlobBackend,
    @Inject(CAVE_CONFIG) private readonly config: CaveConfig,
  ) {}

  async execute({ bucket, uploadId, partNumber, body, size, meta }: UploadPartCommand): Promise<PartView> {
    if (!UUID.test(uploadId)) throw new UploadNotFoundError(uploadId);
    if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > MAX_PARTS) throw new InvalidPartsError(`part numbers are 1..${MAX_PARTS}`);
    if (size > this.config.storage.maxObjectBytes) throw new ObjectTooLargeError(this.config.storage.maxObjectBytes);
    await this.db.tenant(meta.namespace, (c) => this.check(c, bucket, uploadId, partNumber, size, meta.namespace));
    const written = await this.writer.receive(body, size);
    await this.db.tenant(meta.namespace, async (client) => {
      await lockUsage(client, meta.namespace);
      await this.check(client, bucket, uploadId, partNumber, size, meta.namespace);
      await lockBlobShared(client, written.blob);
      if (!(await this.backend.exists(written.blob))) throw new BlobMissingError();
      await this.runner.run(UPLOAD_STREAM, {
          streamId: uploadStreamId(meta.namespace, uploadId),
          command: { type: 'upload_part', uploadId, part: { partNumber, size: written.size, sha256: written.sha256, blob: written.blob } },
          meta: meta,
          client,
          project: (event) => uploadProjection(event, { namespace: meta.namespace }),
        });
    });
    return { partNumber, size: written.size, sha256: written.sha256 };
  }

  private async check(client: PoolClient, bucket: string, uploadId: string, partNumber: number, size: number, namespace: string): Promise<void> {
    const upload = await loadUpload(this.store, client, namespace, bucket, uploadId);
    if (upload.status !== 'open') throw new UploadNotOpenError(uploadId, upload.status);
    const replaced = upload.parts.get(partNumber)?.size ?? 0;
    checkQuota(quotaOf(this.config.storage, namespace), await readUsage(client), size - replaced, 0);
  }
}
