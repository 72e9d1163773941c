import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { ConcurrencyError, Database, EventStore, CommandRunner } from '@cave/event-store';
import { bucketStreamId } from '../../contracts/storage.events';
import { assertBucketName } from '../../domain/names';
import { bucketProjection } from '../../projections/storage.write';
import { BUCKET_COLUMNS, BucketRow, toBucketView } from '../../projections/storage.read-model';
import { BUCKET_STREAM } from '../storage-meta';
import { CreateBucketCommand, CreateBucketResult } from './create-bucket.command';

@CommandHandler(CreateBucketCommand)
export class CreateBucketHandler implements ICommandHandler<CreateBucketCommand, CreateBucketResult> {
  constructor(
    private readonly db: Database,
    private readonly store: EventStore,
    private readonly runner: CommandRunner,
  ) {}

  async execute({ bucket, meta }: CreateBucketCommand): Promise<CreateBucketResult> {
    assertBucketName(bucket);
    try {
      return await this.create(bucket, meta);
    } catch (e) {
      // Two concurrent creations of one bucket: the loser sees the winner's bucket, as PUT promises.
      if (!(e instanceof ConcurrencyError)) throw e;
      return this.create(bucket, meta);
    }
  }

  private create(bucket: string, meta: CreateBucketCommand['meta']): Promise<CreateBucketResult> {
    return this.db.tenant(meta.namespace, async (client) => {
      // An existing bucket decides no event (PUT is idempotent), and an append needs one: answer from the row.
      const existing = await client.query<BucketRow>(`select ${BUCKET_COLUMNS} from buckets where name = $1`, [bucket]);
      if (existing.rows.length > 0) return { created: false, bucket: toBucketView(existing.rows[0]) };
      const result = await this.runner.run(BUCKET_STREAM, {
          streamId: bucketStreamId(meta.namespace, bucket),
          command: { type: 'create', bucket },
          meta: meta,
          client,
          project: (event) => bucketProjection(event, { namespace: meta.namespace, actor: meta.actor }),
        });
      return { created: true, bucket: toBucketView(result.projected!) };
    });
  }
}
