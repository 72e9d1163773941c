import { decodeCursor, EventCursor } from '@cave/event-store';
import { invalidCursor, invalidRequest } from '../channels/realtime.errors';

export interface SubscribeRequest {
  channel: string;
  /** Replay history after this global position (0 = all of it). */
  fromPosition?: number;
  /** Resume exactly after the event that carried this cursor. */
  cursor?: EventCursor;
}

/** Validates an untrusted `subscribe` payload; every problem becomes a 4xx-like ack, never a crash. */
export function parseSubscribeRequest(body: unknown): SubscribeRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalidRequest('payload must be an object');
  const { channel, fromPosition, cursor, ...rest } = body as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) throw invalidRequest(`unknown field ${JSON.stringify(unknown[0].slice(0, 40))}`);
  if (typeof channel !== 'string' || channel.length === 0) throw invalidRequest('channel must be a non-empty string');
  if (fromPosition !== undefined && cursor !== undefined) throw invalidRequest('give fromPosition or cursor, not both');
  const req: SubscribeRequest = { channel };
  if (fromPosition !== undefined) {
    if (typeof fromPosition !== 'number' || !Number.isSafeInteger(fromPosition) || fromPosition < 0) {
      throw invalidRequest('fromPosition must be a non-negative integer');
    }
    req.fromPosition = fromPosition;
  }
  if (cursor !== undefined) {
    if (typeof cursor !== 'string') throw invalidCursor();
    try {
      req.cursor = decodeCursor(cursor);
    } catch {
      throw invalidCursor();
    }
  }
  return req;
}

export function parseUnsubscribeRequest(body: unknown): string {
  if (typeof body !== 'object' || body === null) throw invalidRequest('payload must be an object');
  const { channel } = body as Record<string, unknown>;
  if (typeof channel !== 'string' || channel.length === 0) throw invalidRequest('channel must be a non-empty string');
  return channel;
}
