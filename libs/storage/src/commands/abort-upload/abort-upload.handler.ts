import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Database, EventStore, CommandRunner } from '@cave/event-store';
import { UploadNotFoundError } from '../../domain/storage.errors';
import { uploadStreamId } from '../../domain/streams';
import { uploadProjection } from '../../projections/storage.write';
import { UPLOAD_STREAM } from '../storage-meta';
import { loadUpload, UUID } from '../upload-stream';
import { AbortUploadCommand } from './abort-upload.command';

/** Appends `multipart_upload_aborted`; the parts' bytes are left to the sweeper. */
@CommandHandler(AbortUploadCommand)
export class AbortUploadHandler implements ICommandHandler<AbortUploadCommand, void> {
  constructor(
    private readonly db: Database,
    private readonly store: EventStore,
    private readonly runner: CommandRunner,
  ) {}

  async execute({ bucket, uploadId, meta }: AbortUploadCommand): Promise<void> {
    if (!UUID.test(uploadId)) throw new UploadNotFoundError(uploadId);
    await this.db.tenant(meta.namespace, async (client) => {
      await loadUpload(this.store, client, meta.namespace, bucket, uploadId);
      await this.runner.run(UPLOAD_STREAM, {
          streamId: uploadStreamId(meta.namespace, uploadId),
          command: { type: 'abort', uploadId },
          meta: meta,
          client,
          project: (event) => uploadProjection(event, { namespace: meta.namespace }),
        });
      await client.query(`delete from object_upload_parts where upload_id = $1`, [uploadId]);
    });
  }
}
