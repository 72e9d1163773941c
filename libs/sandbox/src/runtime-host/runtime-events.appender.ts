import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { EventStore, PreconditionFailedError } from '@cave/event-store';
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

  /**
   * One statement, no transaction: appended only while the sandbox is running and its namespace's policy is still
   * at `policyVersion` (the one the exec ran under; 0 = none set), the sandbox row locked FOR NO KEY UPDATE first (a
   * concurrent stop's update waits, or is waited for; two recordings of one sandbox are ordered). False when either
   * moved, and nothing was appended.
   */
  async appendWhileRunning(sandboxId: string, event: SandboxRuntimeEvent, meta: RuntimeEventMeta, policyVersion: number): Promise<boolean> {
    try {
      await this.store.append(sandboxRuntimeStreamId(sandboxId), 'any', [{ type: event.type, data: event.data }], {
        ...appendMeta(meta),
        precondition: {
          text: `select 1 from sandboxes where id = $1::uuid and state = 'running'
                   and coalesce((select version from namespace_policies), 0) = $2::int for no key update`,
          values: [sandboxId, policyVersion],
        },
      });
      return true;
    } catch (e) {
      if (e instanceof PreconditionFailedError) return false;
      throw e;
    }
  }

  async append(client: PoolClient, sandboxId: string, event: SandboxRuntimeEvent, meta: RuntimeEventMeta): Promise<void> {
    await this.store.append(sandboxRuntimeStreamId(sandboxId), 'any', [{ type: event.type, data: event.data }], { ...appendMeta(meta), client });
  }
}

function appendMeta(meta: RuntimeEventMeta) {
  const { namespace, actor, correlationId, causationId, channel } = meta;
  return { namespace, streamType: SANDBOX_RUNTIME_STREAM_TYPE, actor, correlationId, causationId, channel };
}
