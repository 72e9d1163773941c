import { RecordedEvent } from './event.types';
import { publicEventData } from './sensitive-fields';

/** The one serialisable shape of a recorded event that every edge (HTTP, realtime, export) sends. */
export interface EventView {
  globalPosition: number;
  cursor: string;
  eventId: string;
  namespace: string;
  streamType: string;
  streamId: string;
  streamVersion: number;
  type: string;
  schemaVersion: number;
  data: unknown;
  metadata: Record<string, unknown>;
  recordedAt: string;
}

/**
 * `audience: 'client'` redacts sensitive fields (see sensitive-fields.ts); `'operator'` keeps the event
 * exactly as stored, for an operator's own backup (`events export`).
 */
export function toEventView(e: RecordedEvent, audience: 'client' | 'operator' = 'client'): EventView {
  return {
    globalPosition: e.globalPosition,
    cursor: e.cursor,
    eventId: e.eventId,
    namespace: e.namespace,
    streamType: e.streamType,
    streamId: e.streamId,
    streamVersion: e.streamVersion,
    type: e.type,
    schemaVersion: e.schemaVersion,
    data: audience === 'client' ? publicEventData(e.type, e.data) : e.data,
    metadata: e.metadata,
    recordedAt: e.recordedAt.toISOString(),
  };
}
