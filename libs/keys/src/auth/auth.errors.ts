import { DomainError } from '@cave/kernel';

/** No, a malformed, an unknown or a revoked key. The detail never says which key or whether it existed. */
export class UnauthorizedError extends DomainError {
  readonly code = 'KEYS.UNAUTHORIZED';
  readonly kind = 'unauthorized';
}

/** A valid key whose role may not call this route. */
export class ForbiddenError extends DomainError {
  readonly code = 'KEYS.FORBIDDEN';
  readonly kind = 'forbidden';
}

/** Too many failed authentications from this address; `Retry-After` says when to try again. */
export class TooManyAuthFailuresError extends DomainError {
  readonly code = 'KEYS.TOO_MANY_FAILURES';
  readonly kind = 'rate_limited';
}
