import { Query } from '@nestjs/cqrs';
import type { ReadAllResult } from '@cave/event-store';

export interface EventLogFilter {
  after?: string;
  limit: number;
  namespace?: string;
  streamId?: string;
  type?: string;
  actor?: string;
  correlationId?: string;
  causationId?: string;
  eventId?: string;
  from?: Date;
  to?: Date;
}

/**
 * A page of the event log: across all namespaces (admin) or, with `scope`, one namespace read as the
 * runtime role so row-level security (not this code) keeps other tenants out.
 */
export class ListEventsQuery extends Query<ReadAllResult> {
  constructor(readonly filter: EventLogFilter, readonly scope?: string) {
    super();
  }
}
