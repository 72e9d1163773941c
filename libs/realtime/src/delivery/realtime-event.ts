import { EventCursor, EventView, RecordedEvent, toEventView } from '@cave/event-store';

/** What a client receives as `event`: the stored event, its channel and its resume cursor. */
export interface RealtimeEventPayload extends EventView {
  channel: string;
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
    body: toEventView(e, 'client'),
  };
}
