import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { Database } from '@cave/event-store';
import { assertBucketName, assertObjectKey } from '../../domain/names';
import { BucketNotFoundError, ObjectNotFoundError } from '../../domain/storage.errors';
import { OBJECT_COLUMNS, ObjectRow, ObjectView, toObjectView } from '../../projections/storage.read-model';
import { GetObjectQuery } from './get-object.query';

@QueryHandler(GetObjectQuery)
export class GetObjectHandler implements IQueryHandler<GetObjectQuery, ObjectView> {
  constructor(private readonly db: Database) {}

  async execute({ namespace, bucket, key }: GetObjectQuery): Promise<ObjectView> {
    assertBucketName(bucket);
    assertObjectKey(key);
    const rows = await this.db.tenant(namespace, async (c) => {
      const found = await c.query<ObjectRow & { bucket_exists: boolean }>(
        `select b.name is not null as bucket_exists, o.* from (select 1) one
           left join buckets b on b.name = $1
           left join lateral (select ${OBJECT_COLUMNS} from objects where bucket = $1 and key = $2) o on true`,
        [bucket, key],
      );
      return found.rows;
    });
    const row = rows[0];
    if (!row.bucket_exists) throw new BucketNotFoundError(bucket);
    if (row.key === null) throw new ObjectNotFoundError(bucket, key);
    return toObjectView(row);
  }
}
