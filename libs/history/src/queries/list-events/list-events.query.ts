import { Query } from '@nestjs/cqrs';
import type { ReadAllResult } from '@cave/event-store';

export interface EventLogFilter {
  after?: string;
  limit: number;
  namespace?: string;
  streamId?: string;
  type?: string;
}

/** A page of the global event log across all namespaces (admin only). */
export class ListEventsQuery extends Query<ReadAllResult> {
  constructor(readonly filter: EventLogFilter) {
    super();
  }
}
