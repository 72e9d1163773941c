import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { EventStore } from '@cave/event-store';
import type { CommandMeta } from '@cave/kernel';
import { SANDBOX_RUNTIME_STREAM_TYPE, SandboxRuntimeEvent, sandboxRuntimeStreamId } from '../domain/runtime/sandbox-runtime.events';

/** What a runtime fact records of the command's one `CommandMeta` (built at the edge). */
export type RuntimeEventMeta = Pick<CommandMeta, 'namespace' | 'actor' | 'correlationId' | 'causationId' | 'channel'>;

/**
 * Appends to a sandbox's runtime stream inside the caller's tenant transaction. `any` version: the
 * decision (sandbox running, state version) was made under row locks in the same transaction, and
 * runtime facts of one sandbox never invalidate each other.
 */
@Injectable()
export class RuntimeEventsAppender {
  constructor(private readonly store: EventStore) {}

  async append(client: PoolClient, sandboxId: string, event: SandboxRuntimeEvent, meta: RuntimeEventMeta): Promise<void> {
    await this.store.append(sandboxRuntimeStreamId(sandboxId), 'any', [{ type: event.type, data: event.data }], {
      namespace: meta.namespace,
      streamType: SANDBOX_RUNTIME_STREAM_TYPE,
      actor: meta.actor,
      correlationId: meta.correlationId,
      causationId: meta.causationId,
      channel: meta.channel,
      client,
    });
  }
}
