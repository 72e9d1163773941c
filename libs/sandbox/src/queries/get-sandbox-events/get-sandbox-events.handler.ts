import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { EventStore } from '@cave/event-store';
import { SandboxNotFoundError } from '../../domain/sandbox.errors';
import { sandboxStreamId } from '../../contracts/sandbox.events';
import { GetSandboxEventsQuery, SandboxEventPage } from './get-sandbox-events.query';

/** The sandbox's own stream, read under the caller's namespace (RLS): foreign streams are empty. */
@QueryHandler(GetSandboxEventsQuery)
export class GetSandboxEventsHandler implements IQueryHandler<GetSandboxEventsQuery, SandboxEventPage> {
  constructor(private readonly store: EventStore) {}

  async execute({ namespace, sandboxId, page }: GetSandboxEventsQuery): Promise<SandboxEventPage> {
    const streamId = sandboxStreamId(sandboxId);
    // Versions are contiguous, so one extra version tells whether another page exists.
    const events = await this.store.readStream(streamId, { namespace, fromVersion: page.after + 1, toVersion: page.after + page.limit + 1 });
    if (events.length === 0 && (page.after === 0 || (await this.store.streamVersion(streamId, namespace)) === 0)) {
      throw new SandboxNotFoundError(sandboxId);
    }
    const items = events.slice(0, page.limit);
    return { items, nextCursor: events.length > page.limit ? String(items[items.length - 1].streamVersion) : null };
  }
}
