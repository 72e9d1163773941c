import { DomainError } from '@cave/kernel';
import { InvalidCursorError } from '@cave/event-store';

export interface AckError {
  code: string;
  message: string;
}

/** The one place an error becomes a Socket.IO ack; anything unexpected is reported without internals. */
export function toAckError(e: unknown): { known: boolean; error: AckError } {
  if (e instanceof DomainError) return { known: true, error: { code: e.code, message: e.message } };
  if (e instanceof InvalidCursorError) return { known: true, error: { code: 'REALTIME.INVALID_CURSOR', message: 'cursor is not one this server issued' } };
  return { known: false, error: { code: 'REALTIME.INTERNAL', message: 'internal error; try again' } };
}
