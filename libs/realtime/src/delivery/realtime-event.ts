import { EventCursor, publicEventData, RecordedEvent } from '@cave/event-store';

/** What a client receives as `event`: the stored event, its channel and its resume cursor. */
export interface RealtimeEventPayload {
  channel: string;
  cursor: string;
  globalPosition: number;
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

/** An event prepared once per batch and shared by every subscription it goes to. */
export interface DeliverableEvent {
  at: EventCursor;
  event: RecordedEvent;
  body: Omit<RealtimeEventPayload, 'channel'>;
}

export function toDeliverable(e: RecordedEvent): DeliverableEvent {
  const [xid, pos] = e.cursor.split(':');
  return {
    at: { transactionId: BigInt(xid), globalPosition: BigInt(pos) },
    event: e,
    body: {
      cursor: e.cursor,
      globalPosition: e.globalPosition,
      eventId: e.eventId,
      namespace: e.namespace,
      streamType: e.streamType,
      streamId: e.streamId,
      streamVersion: e.streamVersion,
      type: e.type,
      schemaVersion: e.schemaVersion,
      data: publicEventData(e.type, e.data),
      metadata: e.metadata,
      recordedAt: e.recordedAt.toISOString(),
    },
  };
}
