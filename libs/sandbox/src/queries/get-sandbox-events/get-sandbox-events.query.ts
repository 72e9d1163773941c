import { Query } from '@nestjs/cqrs';
import type { RecordedEvent } from '@cave/event-store';

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
