import { randomUUID } from 'node:crypto';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Database, EventStore, CommandRunner } from '@cave/event-store';
import { assertBucketName, assertObjectKey } from '../../domain/names';
import { BucketNotFoundError } from '../../domain/storage.errors';
import { uploadStreamId } from '../../domain/streams';
import { uploadProjection } from '../../projections/storage.write';
import { UPLOAD_STREAM } from '../storage-meta';
import { lockBucketShared } from '../storage-usage';
import { CreateUploadCommand, UploadView } from './create-upload.command';

@CommandHandler(CreateUploadCommand)
export class CreateUploadHandler implements ICommandHandler<CreateUploadCommand, UploadView> {
  constructor(
    private readonly db: Database,
    private readonly store: EventStore,
    private readonly runner: CommandRunner,
  ) {}

  async execute({ bucket, key, contentType, meta }: CreateUploadCommand): Promise<UploadView> {
    assertBucketName(bucket);
    assertObjectKey(key);
    const uploadId = randomUUID();
    await this.db.tenant(meta.namespace, async (client) => {
      if (!(await lockBucketShared(client, bucket))) throw new BucketNotFoundError(bucket);
      await this.runner.run(UPLOAD_STREAM, {
          streamId: uploadStreamId(meta.namespace, uploadId),
          command: { type: 'create', uploadId, bucket, key, contentType },
          newStream: true,
          meta: meta,
          client,
          project: (event) => uploadProjection(event, { namespace: meta.namespace }),
        });
    });
    return { uploadId, bucket, key, contentType };
  }
}
