import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { EventStore } from '@cave/event-store';
import { SANDBOX_RUNTIME_STREAM_TYPE, SandboxRuntimeEvent, sandboxRuntimeStreamId } from '../domain/runtime/sandbox-runtime.events';

export interface RuntimeEventMeta {
  namespace: string;
  actor: string;
  correlationId?: string;
  /** The edge the command came in through (CommandMeta.channel), recorded as `metadata.channel`. */
  channel?: string;
}

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
      channel: meta.channel,
      client,
    });
  }
}
