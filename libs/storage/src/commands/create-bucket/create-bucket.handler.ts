import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { ConcurrencyError, Database, EventStore, runCommand } from '@cave/event-store';
import { BUCKET_STREAM_TYPE, BucketEvent, bucketStreamId } from '../../contracts/storage.events';
import { bucketDecider } from '../../domain/bucket.decider';
import { assertBucketName } from '../../domain/names';
import { bucketProjection } from '../../projections/storage.projection';
import { BUCKET_COLUMNS, BucketRow, toBucketView } from '../../projections/storage.read-model';
import { appendOptions, asDomainEvent } from '../storage-meta';
import { CreateBucketCommand, CreateBucketResult } from './create-bucket.command';

@CommandHandler(CreateBucketCommand)
export class CreateBucketHandler implements ICommandHandler<CreateBucketCommand, CreateBucketResult> {
  constructor(
    private readonly db: Database,
    private readonly store: EventStore,
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
      const result = await runCommand(
        this.store,
        bucketDecider,
        {
          streamId: bucketStreamId(meta.namespace, bucket),
          command: { type: 'create', bucket },
          append: appendOptions(meta, BUCKET_STREAM_TYPE, client),
          project: (event) => bucketProjection(event, { namespace: meta.namespace, actor: meta.actor }),
        },
        asDomainEvent<BucketEvent>,
      );
      return { created: true, bucket: toBucketView(result.append.projected as unknown as BucketRow) };
    });
  }
}
