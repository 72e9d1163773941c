import { Injectable, Logger } from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';
import type { PoolClient } from 'pg';
import { Database, EventStore, RecordedEvent, runCommand } from '@cave/event-store';
import { SandboxChangedNotification } from '../contracts/sandbox-changed.notification';
import { SandboxCommand } from '../domain/sandbox.commands';
import { sandboxDecider } from '../domain/sandbox.decider';
import { SandboxNotFoundError } from '../domain/sandbox.errors';
import { isSandboxEvent, SANDBOX_STREAM_TYPE, SandboxEvent, sandboxStreamId } from '../domain/sandbox.events';
import { SANDBOX_COLUMNS, SandboxRow, SandboxView, toSandboxView } from '../projections/sandbox.read-model';
import { sandboxProjection } from '../projections/sandboxes.projection';
import { SandboxCommandMeta, SandboxCommandResult } from './command-meta';

export function toSandboxEvent(e: RecordedEvent): SandboxEvent {
  const plain = { type: e.type, data: e.data };
  if (!isSandboxEvent(plain)) throw new Error(`stream ${e.streamId} holds a non-sandbox event ${e.type}`);
  return plain;
}

/**
 * Runs one sandbox command atomically in the caller's namespace: decide, append, and apply the new event to the
 * `sandboxes` read model (inline projection) in the append's own SQL statement, so the event and its row commit
 * together or not at all. A creation needs no read and no explicit transaction: that one statement is the whole
 * command (one round trip). A transition reads the stream and appends in one tenant transaction.
 * Notifications go to the in-process EventBus only after commit.
 */
@Injectable()
export class SandboxCommandExecutor {
  private readonly logger = new Logger('Sandbox');

  constructor(
    private readonly db: Database,
    private readonly store: EventStore,
    private readonly eventBus: EventBus,
  ) {}

  async execute(sandboxId: string, command: SandboxCommand, meta: SandboxCommandMeta): Promise<SandboxCommandResult> {
    const streamId = sandboxStreamId(sandboxId);
    const run = async (client?: PoolClient) => {
      const result = await runCommand(
        this.store,
        sandboxDecider,
        {
          streamId,
          command,
          expectedVersion: meta.expectedVersion,
          newStream: command.type === 'create',
          append: {
            namespace: meta.namespace,
            streamType: SANDBOX_STREAM_TYPE,
            actor: meta.actor,
            correlationId: meta.correlationId,
            idempotencyKey: meta.idempotencyKey,
            client,
          },
          project: (event) => sandboxProjection(event, { namespace: meta.namespace, metadata: { actor: meta.actor } }),
        },
        toSandboxEvent,
      );
      // Every sandbox command decides at most one event, so runCommand always projected it inline.
      if (result.events.length > 1) throw new Error(`sandbox command ${command.type} decided ${result.events.length} events`);
      const projected = result.append.projected as SandboxRow | undefined;
      // An idempotent replay appended (and projected) nothing: answer with the row as it is now.
      const view = projected ? toSandboxView(projected) : await this.currentView(client, meta.namespace, sandboxId);
      return { view, result };
    };
    // A creation decides on the initial state and appends with `no_stream`: no read to keep consistent.
    const outcome = command.type === 'create' ? await run() : await this.db.tenant(meta.namespace, run);
    const { result } = outcome;
    if (result.events.length > 0) {
      this.logger.log({
        msg: 'sandbox command committed',
        namespace: meta.namespace,
        sandboxId,
        events: result.events.map((e) => e.type),
        version: result.append.nextExpectedVersion,
        actor: meta.actor,
        correlationId: meta.correlationId,
      });
    }
    for (const [i, event] of result.events.entries()) {
      this.eventBus.publish(
        new SandboxChangedNotification(meta.namespace, sandboxId, event, result.append.nextExpectedVersion - result.events.length + 1 + i, result.append.globalPositions[i]),
      );
    }
    return { sandbox: outcome.view, replayed: result.events.length === 0 };
  }

  private async currentView(client: PoolClient | undefined, namespace: string, sandboxId: string): Promise<SandboxView> {
    const read = async (c: PoolClient) => (await c.query<SandboxRow>(`select ${SANDBOX_COLUMNS} from sandboxes where id = $1`, [sandboxId])).rows;
    const rows = client ? await read(client) : await this.db.tenant(namespace, read);
    if (rows.length === 0) throw new SandboxNotFoundError(sandboxId);
    return toSandboxView(rows[0]);
  }
}
