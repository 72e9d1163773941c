import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { PoolClient } from 'pg';
import { Database } from '@cave/event-store';
import { afterPrefix, decodeCursor, encodeCursor, ListPosition } from '../../domain/list-cursor';
import { assertBucketName } from '../../domain/names';
import { BucketNotFoundError } from '../../domain/storage.errors';
import { OBJECT_COLUMNS, ObjectRow, ObjectView, toObjectView } from '../../projections/storage.read-model';
import { ListObjectsQuery } from './list-objects.query';

export interface ObjectPage {
  items: ObjectView[];
  /** With a delimiter: the "directories" (key prefixes up to and including the delimiter) of this page. */
  prefixes: string[];
  nextCursor: string | null;
}

/**
 * S3's ListObjectsV2 over the read model: keys in byte order, filtered by prefix; with a delimiter, keys that
 * continue past it collapse into one common prefix, and the scan jumps behind that prefix in one index seek.
 * Objects and prefixes share the page limit, and the cursor resumes exactly behind the last entry.
 */
@QueryHandler(ListObjectsQuery)
export class ListObjectsHandler implements IQueryHandler<ListObjectsQuery, ObjectPage> {
  constructor(private readonly db: Database) {}

  async execute({ namespace, bucket, options }: ListObjectsQuery): Promise<ObjectPage> {
    assertBucketName(bucket);
    const start: ListPosition = options.cursor ? decodeCursor(options.cursor) : { from: options.prefix };
    return this.db.tenant(namespace, async (c) => {
      if ((await c.query(`select 1 from buckets where name = $1`, [bucket])).rowCount === 0) throw new BucketNotFoundError(bucket);
      return this.scan(c, bucket, options, start);
    });
  }

  private async scan(c: PoolClient, bucket: string, o: ListObjectsQuery['options'], start: ListPosition): Promise<ObjectPage> {
    const items: ObjectView[] = [];
    const prefixes: string[] = [];
    let position = start;
    let last: ListPosition | undefined;
    while (items.length + prefixes.length < o.limit) {
      const room = o.limit - items.length - prefixes.length;
      const [op, value] = 'after' in position ? ['>', position.after] : ['>=', position.from];
      const { rows } = await c.query<ObjectRow>(
        `select ${OBJECT_COLUMNS} from objects where bucket = $1 and key ${op} $2 and starts_with(key, $3) order by key limit $4`,
        [bucket, value, o.prefix, room + 1],
      );
      if (rows.length === 0) return { items, prefixes, nextCursor: null };
      let jumped = false;
      for (const row of rows) {
        if (items.length + prefixes.length === o.limit) return { items, prefixes, nextCursor: encodeCursor(last!) };
        const rest = row.key.slice(o.prefix.length);
        const cut = o.delimiter ? rest.indexOf(o.delimiter) : -1;
        if (cut >= 0) {
          const common = o.prefix + rest.slice(0, cut + o.delimiter!.length);
          prefixes.push(common);
          last = position = { from: afterPrefix(common) };
          jumped = true;
          break;
        }
        items.push(toObjectView(row));
        last = position = { after: row.key };
      }
      if (!jumped && rows.length <= room) return { items, prefixes, nextCursor: null };
    }
    // The page is full: there is a next page only if something follows.
    const [op, value] = 'after' in position ? ['>', position.after] : ['>=', position.from];
    const more = await c.query(`select 1 from objects where bucket = $1 and key ${op} $2 and starts_with(key, $3) limit 1`, [bucket, value, o.prefix]);
    return { items, prefixes, nextCursor: (more.rowCount ?? 0) > 0 ? encodeCursor(last!) : null };
  }
}
