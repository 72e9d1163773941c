import { Query } from '@nestjs/cqrs';
import type { RecordedEvent } from '@cave/event-store';

/**
 * Page bounds of a sandbox's history: the one copy, read by the REST DTO and the MCP tool schema. Stream
 * versions are int4, so the page end (after + limit + 1) must stay in range.
 */
export const EVENT_PAGE = { maxAfter: 1_000_000_000, maxLimit: 1000, defaultLimit: 100 } as const;

export interface SandboxEventPage {
  items: RecordedEvent[];
  /** Stream version to pass as `after` for the next page; null when this page reached the end. */
  nextCursor: string | null;
}

export class GetSandboxEventsQuery extends Query<SandboxEventPage> {
  constructor(
    readonly namespace: string,
    readonly sandboxId: string,
    readonly page: { after: number; limit: number },
  ) {
    super();
  }
}
