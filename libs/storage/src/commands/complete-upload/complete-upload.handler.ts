import { PassThrough } from 'node:stream';
import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Database, EventStore, CommandRunner } from '@cave/event-store';
import { BLOB_BACKEND, BlobBackend } from '../../backends/blob-backend';
import { UploadNotFoundError, UploadNotOpenError } from '../../domain/storage.errors';
import { uploadStreamId } from '../../domain/streams';
import { PartData, partsToComplete } from '../../domain/upload.decider';
import { uploadProjection } from '../../projections/storage.write';
import { ObjectView } from '../../projections/storage.read-model';
import { ObjectWriter } from '../object-writer';
import { UPLOAD_STREAM } from '../storage-meta';
import { loadUpload, UUID } from '../upload-stream';
import { CompleteUploadCommand } from './complete-upload.command';

/**
 * Composes the parts into one blob (streamed part after part, hashed on the way: the object's ETag is the
 * SHA-256 of all its bytes), then commits `multipart_upload_completed` and `object_stored` in one transaction.
 */
@CommandHandler(CompleteUploadCommand)
export class CompleteUploadHandler implements ICommandHandler<CompleteUploadCommand, ObjectView> {
  constructor(
    private readonly db: Database,
    private readonly store: EventStore,
    private readonly runner: CommandRunner,
    private readonly writer: ObjectWriter,
    @Inject(BLOB_BACKEND) private readonly backend: BlobBackend,
  ) {}

  async execute({ bucket, uploadId, parts, meta }: CompleteUploadCommand): Promise<ObjectView> {
    if (!UUID.test(uploadId)) throw new UploadNotFoundError(uploadId);
    const upload = await this.db.tenant(meta.namespace, (c) => loadUpload(this.store, c, meta.namespace, bucket, uploadId));
    if (upload.status !== 'open') throw new UploadNotOpenError(uploadId, upload.status);
    const chosen = partsToComplete(upload, parts);
    const size = chosen.reduce((n, p) => n + p.size, 0);
    const written = await this.backend.write(this.concat(chosen), { expectedSize: size });
    const numbers = chosen.map((p) => p.partNumber);
    return this.writer.commit({ bucket, key: upload.key, contentType: upload.contentType, preconditions: {} }, written, meta, async (client) => {
      await this.runner.run(UPLOAD_STREAM, {
          streamId: uploadStreamId(meta.namespace, uploadId),
          command: { type: 'complete', uploadId, parts: numbers, size: written.size, sha256: written.sha256 },
          meta: meta,
          client,
          project: (event) => uploadProjection(event, { namespace: meta.namespace }),
        });
      // The parts' bytes stop counting (the object's start) and become the sweeper's.
      await client.query(`delete from object_upload_parts where upload_id = $1`, [uploadId]);
    });
  }

  private concat(parts: PartData[]): PassThrough {
    const out = new PassThrough({ highWaterMark: 1024 * 1024 });
    void (async () => {
      for (const p of parts) {
        const source = await this.backend.read(p.blob);
        for await (const chunk of source) if (!out.write(chunk)) await new Promise((r) => out.once('drain', r));
      }
      out.end();
    })().catch((e: Error) => out.destroy(e));
    return out;
  }
}
