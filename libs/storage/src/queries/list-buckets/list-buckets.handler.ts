import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { Database } from '@cave/event-store';
import { decodeCursor, encodeCursor } from '../../domain/list-cursor';
import { BUCKET_COLUMNS, BucketRow, BucketView, toBucketView } from '../../projections/storage.read-model';
import { ListBucketsQuery } from './list-buckets.query';

export interface BucketPage {
  items: BucketView[];
  nextCursor: string | null;
}

/** Buckets of the namespace in name order, keyset-paged (RLS keeps other namespaces out). */
@QueryHandler(ListBucketsQuery)
export class ListBucketsHandler implements IQueryHandler<ListBucketsQuery, BucketPage> {
  constructor(private readonly db: Database) {}

  async execute({ namespace, limit, cursor }: ListBucketsQuery): Promise<BucketPage> {
    const position = cursor === undefined ? undefined : decodeCursor(cursor);
    const after = position === undefined ? '' : 'after' in position ? position.after : position.from;
    const rows = await this.db.tenant(namespace, async (c) =>
      (await c.query<BucketRow>(`select ${BUCKET_COLUMNS} from buckets where name > $1 order by name limit $2`, [after, limit + 1])).rows,
    );
    const items = rows.slice(0, limit).map(toBucketView);
    return { items, nextCursor: rows.length > limit ? encodeCursor({ after: items[items.length - 1].name }) : null };
  }
}
