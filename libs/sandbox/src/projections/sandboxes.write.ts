import { EVENT, InlineProjection, literal, param, projectionAt, SqlStatement } from '@cave/event-store';
import { SandboxEvent } from '../contracts/sandbox.events';
import { statusAfter } from '../domain/sandbox.lifecycle';
import { SANDBOX_COLUMNS, SandboxRow, SandboxView, toSandboxView } from './sandbox.read-model';

/** What the projection needs of a committed event (a subset of the store's RecordedEvent). */
export interface ProjectableSandboxEvent {
  namespace: string;
  streamVersion: number;
  globalPosition: number;
  recordedAt: Date;
  metadata: { actor?: string };
  event: SandboxEvent;
}

const RETURNED = SANDBOX_COLUMNS.split(', ');
const toRow = (r: Record<string, unknown>): SandboxView => toSandboxView(r as unknown as SandboxRow);

/**
 * Pure: one sandbox event -> its write to `sandboxes`, with the event's version, position and time taken
 * from where the store appended it. Inline, the command runs it in the same statement as its append (as
 * `cave_app`, one round trip, one transaction); a replaying projector runs the same write standalone
 * (`projectSandboxEvent`). The writes are idempotent (an insert that exists already, or an update to a version
 * the row has, changes nothing), so applying an event twice or replaying history over a live table is
 * harmless. Each returns the row it produced, so the inline caller needs no extra read. `table` is the
 * (quoted) table to write: the async projector passes the shadow during a rebuild.
 */
export function sandboxProjection(
  event: SandboxEvent,
  e: { namespace: string; metadata: { actor?: string } },
  table = 'sandboxes',
): InlineProjection<SandboxView> {
  if (event.type === 'sandbox_created') {
    const d = event.data;
    return {
      write: {
        insert: table,
        columns: {
          id: param(d.sandboxId, 'uuid'),
          namespace: param(e.namespace, 'text'),
          name: param(d.name, 'text'),
          runtime: param(d.runtime, 'text'),
          mode: param(d.mode, 'text'),
          state: literal(statusAfter(event.type)),
          limits: param(JSON.stringify(d.limits), 'jsonb'),
          labels: param(JSON.stringify(d.labels), 'jsonb'),
          version: EVENT.streamVersion,
          created_by: param(e.metadata.actor ?? null, 'text'),
          created_at: EVENT.recordedAt,
          updated_at: EVENT.recordedAt,
          created_position: EVENT.globalPosition,
          last_position: EVENT.globalPosition,
        },
        key: 'id',
        returning: RETURNED,
      },
      toRow,
    };
  }
  // Every other event is a lifecycle transition: the row takes the status the lifecycle table gives it.
  return {
    write: {
      update: table,
      alias: 's',
      key: { column: 'id', value: param(event.data.sandboxId, 'uuid') },
      set: { state: param(statusAfter(event.type), 'text'), version: EVENT.streamVersion, updated_at: EVENT.recordedAt, last_position: EVENT.globalPosition },
      versionColumn: 'version',
      returning: RETURNED,
    },
    toRow,
  };
}

/** The same write for an event already in the log (replays, rebuilds): one standalone statement. */
export function projectSandboxEvent(e: ProjectableSandboxEvent, table = 'sandboxes'): SqlStatement {
  return projectionAt(sandboxProjection(e.event, e, table), e);
}
