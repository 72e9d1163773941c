import { DomainError } from '@cave/kernel';

export class IdempotencyKeyInvalidError extends DomainError {
  readonly code = 'HTTP.INVALID_IDEMPOTENCY_KEY';
  readonly kind = 'invalid';
  constructor() {
    super('Idempotency-Key must be 1 to 255 printable ASCII characters');
  }
}

/** Same key, different request: Stripe answers this with an error rather than guessing. */
export class IdempotencyKeyReusedError extends DomainError {
  readonly code = 'HTTP.IDEMPOTENCY_KEY_REUSED';
  readonly kind = 'unprocessable';
  constructor() {
    super('this Idempotency-Key was already used with a different request (method, path or body); use a new key');
  }
}

/** The first request with this key is still running; the client retries shortly and gets its result. */
export class IdempotencyKeyInUseError extends DomainError {
  readonly code = 'HTTP.IDEMPOTENCY_KEY_IN_USE';
  readonly kind = 'conflict';
  constructor() {
    super('a request with this Idempotency-Key is still in progress; retry after it finished');
  }
}
