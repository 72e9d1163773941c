import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { Database } from '@cave/event-store';
import { assertBucketName } from '../../domain/names';
import { BucketNotFoundError } from '../../domain/storage.errors';
import { BUCKET_COLUMNS, BucketRow, BucketView, toBucketView } from '../../projections/storage.read-model';
import { GetBucketQuery } from './get-bucket.query';

export interface BucketDetails extends BucketView {
  objects: number;
  bytes: number;
}

@QueryHandler(GetBucketQuery)
export class GetBucketHandler implements IQueryHandler<GetBucketQuery, BucketDetails> {
  constructor(private readonly db: Database) {}

  async execute({ namespace, bucket }: GetBucketQuery): Promise<BucketDetails> {
    assertBucketName(bucket);
    return this.db.tenant(namespace, async (c) => {
      const { rows } = await c.query<BucketRow>(`select ${BUCKET_COLUMNS} from buckets where name = $1`, [bucket]);
      if (rows.length === 0) throw new BucketNotFoundError(bucket);
      const usage = await c.query<{ objects: string; bytes: string }>(`select count(*) as objects, coalesce(sum(size), 0) as bytes from objects where bucket = $1`, [bucket]);
      return { ...toBucketView(rows[0]), objects: Number(usage.rows[0].objects), bytes: Number(usage.rows[0].bytes) };
    });
  }
}
