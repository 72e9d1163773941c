import { DomainError } from '@cave/kernel';

export class ApiKeyNotFoundError extends DomainError {
  readonly code = 'KEYS.NOT_FOUND';
  readonly kind = 'not_found';
  constructor(keyId: string) {
    super(`API key ${keyId} not found`, { keyId });
  }
}

export class ApiKeyAlreadyExistsError extends DomainError {
  readonly code = 'KEYS.ALREADY_EXISTS';
  readonly kind = 'conflict';
  constructor(keyId: string) {
    super(`API key ${keyId} already exists`, { keyId });
  }
}

/** A command that breaks an invariant of the key itself (the HTTP DTOs catch these earlier). */
export class InvalidApiKeyError extends DomainError {
  readonly code = 'KEYS.INVALID';
  readonly kind = 'invalid';
}

/** Members may manage keys of their namespace, but never an admin key. */
export class ApiKeyForbiddenError extends DomainError {
  readonly code = 'KEYS.FORBIDDEN';
  readonly kind = 'forbidden';
}

/** A revoked key, or one already rotated (waiting for its grace window to end), cannot be rotated. */
export class ApiKeyNotRotatableError extends DomainError {
  readonly code = 'KEYS.NOT_ROTATABLE';
  readonly kind = 'conflict';
}

/**
 * The operator namespace holds only admin keys: its storage keeps every tenant's sandbox blobs and the model
 * artifacts, so a member key there would read across tenants (ADR 0022).
 */
export class ReservedNamespaceError extends DomainError {
  readonly code = 'KEYS.RESERVED_NAMESPACE';
  readonly kind = 'forbidden';
}
