import { SandboxEvent } from '../domain/sandbox.events';
import { SANDBOX_COLUMNS } from './sandbox.read-model';

/** What the projection needs of a committed event (a subset of the store's RecordedEvent). */
export interface ProjectableSandboxEvent {
  namespace: string;
  streamVersion: number;
  globalPosition: number;
  recordedAt: Date;
  metadata: { actor?: string };
  event: SandboxEvent;
}

export interface SqlStatement {
  text: string;
  values: unknown[];
}

const STATE_AFTER = { sandbox_started: 'running', sandbox_stopped: 'stopped', sandbox_deleted: 'deleted' } as const;

/**
 * Pure: one event -> the SQL that applies it to `sandboxes`. Used inline (same transaction as the
 * append, as `cave_app`) and reusable by a replaying projector: the statements are idempotent
 * (an insert that exists already, or an update to a version the row has, changes nothing), so
 * applying an event twice or replaying history over a live table is harmless.
 * Each statement returns the row it produced, so the inline caller needs no extra read.
 * `table` is the (quoted) table to write: the async projector passes the shadow during a rebuild.
 */
export function projectSandboxEvent(e: ProjectableSandboxEvent, table = 'sandboxes'): SqlStatement {
  const { event } = e;
  switch (event.type) {
    case 'sandbox_created': {
      const d = event.data;
      return {
        text: `insert into ${table} (id, namespace, name, runtime, mode, state, limits, labels, version, created_by,
                                      created_at, updated_at, created_position, last_position)
               values ($1, $2, $3, $4, $5, 'created', $6, $7, $8, $9, $10, $10, $11, $11)
               on conflict (id) do nothing
               returning ${SANDBOX_COLUMNS}`,
        values: [
          d.sandboxId,
          e.namespace,
          d.name,
          d.runtime,
          d.mode,
          JSON.stringify(d.limits),
          JSON.stringify(d.labels),
          e.streamVersion,
          e.metadata.actor ?? null,
          e.recordedAt,
          e.globalPosition,
        ],
      };
    }
    case 'sandbox_started':
    case 'sandbox_stopped':
    case 'sandbox_deleted':
      return {
        text: `update ${table} set state = $2, version = $3, updated_at = $4, last_position = $5
               where id = $1 and version < $3
               returning ${SANDBOX_COLUMNS}`,
        values: [event.data.sandboxId, STATE_AFTER[event.type], e.streamVersion, e.recordedAt, e.globalPosition],
      };
    default: {
      const unknown: never = event;
      throw new Error(`sandboxes projection: unhandled event ${JSON.stringify(unknown)}`);
    }
  }
}
