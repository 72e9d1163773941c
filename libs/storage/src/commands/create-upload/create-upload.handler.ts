import { randomUUID } from 'node:crypto';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Database, EventStore, runCommand } from '@cave/event-store';
import { UPLOAD_STREAM_TYPE } from '../../contracts/storage.events';
import { assertBucketName, assertObjectKey } from '../../domain/names';
import { BucketNotFoundError } from '../../domain/storage.errors';
import { uploadStreamId } from '../../domain/streams';
import { uploadDecider, UploadEvent } from '../../domain/upload.decider';
import { uploadProjection } from '../../projections/storage.projection';
import { appendOptions, asDomainEvent } from '../storage-meta';
import { lockBucketShared } from '../storage-usage';
import { CreateUploadCommand, UploadView } from './create-upload.command';

@CommandHandler(CreateUploadCommand)
export class CreateUploadHandler implements ICommandHandler<CreateUploadCommand, UploadView> {
  constructor(
    private readonly db: Database,
    private readonly store: EventStore,
  ) {}

  async execute({ bucket, key, contentType, meta }: CreateUploadCommand): Promise<UploadView> {
    assertBucketName(bucket);
    assertObjectKey(key);
    const uploadId = randomUUID();
    await this.db.tenant(meta.namespace, async (client) => {
      if (!(await lockBucketShared(client, bucket))) throw new BucketNotFoundError(bucket);
      await runCommand(
        this.store,
        uploadDecider,
        {
          streamId: uploadStreamId(meta.namespace, uploadId),
          command: { type: 'create', uploadId, bucket, key, contentType },
          newStream: true,
          append: appendOptions(meta, UPLOAD_STREAM_TYPE, client),
          project: (event) => uploadProjection(event, { namespace: meta.namespace }),
        },
        asDomainEvent<UploadEvent>,
      );
    });
    return { uploadId, bucket, key, contentType };
  }
}
