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
import { projectSandboxEvent } from '../projections/sandboxes.projection';
import { SandboxCommandMeta, SandboxCommandResult } from './command-meta';

export function toSandboxEvent(e: RecordedEvent): SandboxEvent {
  const plain = { type: e.type, data: e.data };
  if (!isSandboxEvent(plain)) throw new Error(`stream ${e.streamId} holds a non-sandbox event ${e.type}`);
  return plain;
}

/**
 * Runs one sandbox command as a single transaction in the caller's namespace: read the stream,
 * decide, append, and apply the new events to the `sandboxes` read model (inline projection).
 * Either all of it commits or none. Notifications go to the in-process EventBus only after commit.
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
    const outcome = await this.db.tenant(meta.namespace, async (client) => {
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
        },
        toSandboxEvent,
      );
      let view: SandboxView | undefined;
      const first = result.append.nextExpectedVersion - result.events.length + 1;
      for (const [i, event] of result.events.entries()) {
        const sql = projectSandboxEvent({
          namespace: meta.namespace,
          streamVersion: first + i,
          globalPosition: result.append.globalPositions[i],
          recordedAt: result.append.recordedAt,
          metadata: { actor: meta.actor },
          event,
        });
        const { rows } = await client.query<SandboxRow>(sql.text, sql.values);
        if (rows.length === 1) view = toSandboxView(rows[0]);
      }
      // An idempotent replay appended nothing: answer with the row as it is now.
      view ??= await this.currentView(client, sandboxId);
      return { view, result };
    });
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

  private async currentView(client: PoolClient, sandboxId: string): Promise<SandboxView> {
    const { rows } = await client.query<SandboxRow>(`select ${SANDBOX_COLUMNS} from sandboxes where id = $1`, [sandboxId]);
    if (rows.length === 0) throw new SandboxNotFoundError(sandboxId);
    return toSandboxView(rows[0]);
  }
}
