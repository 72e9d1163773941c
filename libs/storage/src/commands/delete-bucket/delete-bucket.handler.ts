import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Database, EventStore, CommandRunner } from '@cave/event-store';
import { bucketStreamId } from '../../contracts/storage.events';
import { assertBucketName } from '../../domain/names';
import { BucketNotFoundError } from '../../domain/storage.errors';
import { bucketProjection } from '../../projections/storage.write';
import { BUCKET_STREAM } from '../storage-meta';
import { DeleteBucketCommand } from './delete-bucket.command';

@CommandHandler(DeleteBucketCommand)
export class DeleteBucketHandler implements ICommandHandler<DeleteBucketCommand, void> {
  constructor(
    private readonly db: Database,
    private readonly store: EventStore,
    private readonly runner: CommandRunner,
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
      await this.runner.run(BUCKET_STREAM, {
          streamId: bucketStreamId(meta.namespace, bucket),
          command: { type: 'delete', bucket, objects: Number(rows[0].objects), uploads: Number(rows[0].uploads) },
          meta: meta,
          client,
          project: (event) => bucketProjection(event, { namespace: meta.namespace, actor: meta.actor }),
        });
    });
  }
}
