import { InlineProjection, projectionAt, SqlStatement } from '@cave/event-store';
import { SandboxEvent } from '../domain/sandbox.events';
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

export type { SqlStatement };

const toRow = (r: Record<string, unknown>): SandboxView => toSandboxView(r as unknown as SandboxRow);

/**
 * Pure: one sandbox event -> the statement that applies it to `sandboxes`, reading the event's version,
 * position and time from the relation `appended` (InlineProjection). Inline, the command runs it in the same
 * statement as its append (as `cave_app`, one round trip, one transaction); a replaying projector runs the same
 * text over a VALUES row (`projectSandboxEvent`). The statements are idempotent (an insert that exists already,
 * or an update to a version the row has, changes nothing), so applying an event twice or replaying history over
 * a live table is harmless. Each returns the row it produced, so the inline caller needs no extra read.
 * `table` is the (quoted) table to write: the async projector passes the shadow during a rebuild.
 */
export function sandboxProjection(event: SandboxEvent, e: { namespace: string; metadata: { actor?: string } }, table = 'sandboxes'): InlineProjection<SandboxView> {
  switch (event.type) {
    case 'sandbox_created': {
      const d = event.data;
      return {
        text: `insert into ${table} (id, namespace, name, runtime, mode, state, limits, labels, version, created_by,
                                      created_at, updated_at, created_position, last_position)
               select $1::uuid, $2::text, $3::text, $4::text, $5::text, 'created', $6::jsonb, $7::jsonb, a.stream_version, $8::text,
                      a.recorded_at, a.recorded_at, a.global_position, a.global_position
               from appended a where not a.replayed
               on conflict (id) do nothing
               returning ${SANDBOX_COLUMNS}`,
        values: [d.sandboxId, e.namespace, d.name, d.runtime, d.mode, JSON.stringify(d.limits), JSON.stringify(d.labels), e.metadata.actor ?? null],
        toRow,
      };
    }
    case 'sandbox_started':
    case 'sandbox_stopped':
    case 'sandbox_deleted':
      return {
        text: `update ${table} s set state = $2::text, version = a.stream_version, updated_at = a.recorded_at, last_position = a.global_position
               from appended a
               where s.id = $1::uuid and s.version < a.stream_version and not a.replayed
               returning ${SANDBOX_COLUMNS.split(', ').map((c) => `s.${c}`).join(', ')}`,
        values: [event.data.sandboxId, statusAfter(event.type)],
        toRow,
      };
    default: {
      const unknown: never = event;
      throw new Error(`sandboxes projection: unhandled event ${JSON.stringify(unknown)}`);
    }
  }
}

/** The same write for an event already in the log (replays, rebuilds): one standalone statement. */
export function projectSandboxEvent(e: ProjectableSandboxEvent, table = 'sandboxes'): SqlStatement {
  const { text, values } = sandboxProjection(e.event, e, table);
  return projectionAt({ text, values }, e);
}
