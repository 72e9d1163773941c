import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { Database } from '@cave/event-store';
import { SANDBOX_COLUMNS, SandboxRow, toSandboxView } from '../../projections/sandbox.read-model';
import { decodeListCursor, encodeListCursor } from './list-cursor';
import { ListSandboxesQuery, SandboxPage } from './list-sandboxes.query';

const LIST_SANDBOXES = {
  name: 'sandboxes_list_v1',
  text: `select ${SANDBOX_COLUMNS} from sandboxes
         where ($1::bigint is null or created_position < $1)
           and (case when $2::text is null then state <> 'deleted' else state = $2 end)
         order by created_position desc limit $3::integer`,
};

/**
 * Newest first, keyset-paged on the creation event's global position (unique, never reused), so
 * pages stay stable while sandboxes are created or change state. Without `state`, deleted
 * sandboxes are left out.
 */
@QueryHandler(ListSandboxesQuery)
export class ListSandboxesHandler implements IQueryHandler<ListSandboxesQuery, SandboxPage> {
  constructor(private readonly db: Database) {}

  async execute({ namespace, filter }: ListSandboxesQuery): Promise<SandboxPage> {
    const before = filter.cursor === undefined ? null : decodeListCursor(filter.cursor);
    // One round trip: the namespace is set in the same message as the read (Database.tenantQuery).
    const { rows } = await this.db.tenantQuery<SandboxRow>(namespace, LIST_SANDBOXES, [before, filter.state ?? null, filter.limit + 1]);
    const items = rows.slice(0, filter.limit).map(toSandboxView);
    const more = rows.length > filter.limit;
    return { items, nextCursor: more ? encodeListCursor(items[items.length - 1].createdPosition) : null };
  }
}
