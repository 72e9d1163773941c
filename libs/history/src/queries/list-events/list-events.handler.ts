import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { EventStore, ReadAllResult } from '@cave/event-store';
import { ListEventsQuery } from './list-events.query';

/**
 * Reads the global log in commit-safe order (ADR 0002) as the admin role: the cursor never skips
 * an event that commits late, so a client paging to the end and polling on sees every event once.
 */
@QueryHandler(ListEventsQuery)
export class ListEventsHandler implements IQueryHandler<ListEventsQuery, ReadAllResult> {
  constructor(private readonly store: EventStore) {}

  execute({ filter }: ListEventsQuery): Promise<ReadAllResult> {
    return this.store.readAll({
      after: filter.after,
      limit: filter.limit,
      filter: {
        namespace: filter.namespace,
        streamId: filter.streamId,
        types: filter.type === undefined ? undefined : [filter.type],
      },
    });
  }
}
