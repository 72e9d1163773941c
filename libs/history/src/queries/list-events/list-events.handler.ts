import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { EventStore, ReadAllResult } from '@cave/event-store';
import { ListEventsQuery } from './list-events.query';

/**
 * Reads the log in commit-safe order (ADR 0002): the cursor never skips an event that commits late,
 * so a client paging to the end and polling on sees every event once. Unscoped reads run as the
 * admin role; scoped ones as the runtime role under the namespace's row-level security.
 */
@QueryHandler(ListEventsQuery)
export class ListEventsHandler implements IQueryHandler<ListEventsQuery, ReadAllResult> {
  constructor(private readonly store: EventStore) {}

  execute({ filter, scope }: ListEventsQuery): Promise<ReadAllResult> {
    return this.store.readAll({
      after: filter.after,
      limit: filter.limit,
      scope,
      filter: {
        namespace: scope ?? filter.namespace,
        streamId: filter.streamId,
        types: filter.type === undefined ? undefined : [filter.type],
        actor: filter.actor,
        correlationId: filter.correlationId,
        causationId: filter.causationId,
        eventId: filter.eventId,
        recordedFrom: filter.from,
        recordedTo: filter.to,
      },
    });
  }
}
