import { RequestValidationError } from '@cave/http';
import type { EventLogFilter } from '../queries/list-events/list-events.query';
import type { EventFilterQueryDto } from './list-events.dto';

/** The validated query string as a filter; a time range that ends before it starts is the client's mistake. */
export function toEventLogFilter(q: EventFilterQueryDto & { namespace?: string }): EventLogFilter {
  const from = q.from === undefined ? undefined : new Date(q.from);
  const to = q.to === undefined ? undefined : new Date(q.to);
  if (from && to && from.getTime() > to.getTime()) throw new RequestValidationError([{ field: 'to', message: 'to must not be before from' }]);
  return {
    after: q.after,
    limit: q.limit ?? 100,
    namespace: q.namespace,
    streamId: q.streamId,
    type: q.type,
    actor: q.actor,
    correlationId: q.correlationId,
    causationId: q.causationId,
    eventId: q.eventId,
    from,
    to,
  };
}
