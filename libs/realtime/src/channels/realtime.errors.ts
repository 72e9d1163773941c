import { DomainError, DomainErrorKind } from '@cave/kernel';

/** Errors a Socket.IO client can receive in an ack: `{ok: false, error: {code, message}}`. */
export class RealtimeError extends DomainError {
  constructor(
    readonly code: string,
    readonly kind: DomainErrorKind,
    message: string,
  ) {
    super(message);
  }
}

export const invalidRequest = (message: string) => new RealtimeError('REALTIME.INVALID_REQUEST', 'invalid', message);
export const invalidChannel = (channel: string) =>
  new RealtimeError('REALTIME.INVALID_CHANNEL', 'invalid', `unknown channel ${JSON.stringify(channel.slice(0, 80))}`);
export const forbiddenChannel = () => new RealtimeError('REALTIME.FORBIDDEN', 'forbidden', 'this channel needs an admin key');
/** Same answer for a stream of another namespace and a stream that does not exist: nothing leaks. */
export const streamNotFound = () => new RealtimeError('REALTIME.STREAM_NOT_FOUND', 'not_found', 'no such stream');
export const invalidCursor = () => new RealtimeError('REALTIME.INVALID_CURSOR', 'invalid', 'cursor is not one this server issued');
export const notSubscribed = () => new RealtimeError('REALTIME.NOT_SUBSCRIBED', 'not_found', 'not subscribed to this channel');
export const tooManySubscriptions = (max: number) =>
  new RealtimeError('REALTIME.TOO_MANY_SUBSCRIPTIONS', 'conflict', `at most ${max} subscriptions per connection`);
