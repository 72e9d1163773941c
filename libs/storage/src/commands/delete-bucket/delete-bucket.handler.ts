import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Database, EventStore, runCommand } from '@cave/event-store';
import { BUCKET_STREAM_TYPE, BucketEvent, bucketStreamId } from '../../contracts/storage.events';
import { bucketDecider } from '../../domain/bucket.decider';
import { assertBucketName } from '../../domain/names';
import { BucketNotFoundError } from '../../domain/storage.errors';
import { bucketProjection } from '../../projections/storage.projection';
import { appendOptions, asDomainEvent } from '../storage-meta';
import { DeleteBucketCommand } from './delete-bucket.command';

@CommandHandler(DeleteBucketCommand)
export class DeleteBucketHandler implements ICommandHandler<DeleteBucketCommand, void> {
  constructor(
    private readonly db: Database,
    private readonly store: EventStore,
  ) {}

  async execute({ bucket, meta }: DeleteBucketCommand): Promise<void> {
    assertBucketName(bucket);
    await this.db.tenant(meta.namespace, async (client) => {
      // The row lock makes emptiness a fact until commit: an upload commit share-locks the same row.
      const locked = await client.query(`select 1 from buckets where name = $1 for update`, [bucket]);
      if (locked.rowCount === 0) throw new BucketNotFoundError(bucket);
      const { rows } = await client.query<{ objects: string; uploads: string }>(
        `select (select count(*) from objects where bucket = $1) as objects, (select count(*) from object_uploads where bucket = $1) as uploads`,
        [bucket],
      );
      await runCommand(
        this.store,
        bucketDecider,
        {
          streamId: bucketStreamId(meta.namespace, bucket),
          command: { type: 'delete', bucket, objects: Number(rows[0].objects), uploads: Number(rows[0].uploads) },
          append: appendOptions(meta, BUCKET_STREAM_TYPE, client),
          project: (event) => bucketProjection(event, { namespace: meta.namespace, actor: meta.actor }),
        },
        asDomainEvent<BucketEvent>,
      );
    });
  }
}
