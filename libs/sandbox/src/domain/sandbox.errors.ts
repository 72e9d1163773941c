import { DomainError } from '@cave/kernel';

export class SandboxNotFoundError extends DomainError {
  readonly code = 'SANDBOX.NOT_FOUND';
  readonly kind = 'not_found';
  constructor(sandboxId: string) {
    super(`sandbox ${sandboxId} not found`);
  }
}

export class InvalidSandboxTransitionError extends DomainError {
  readonly code = 'SANDBOX.INVALID_TRANSITION';
  readonly kind = 'conflict';
  constructor(sandboxId: string, from: string, action: string) {
    super(`sandbox ${sandboxId} is ${from}; cannot ${action} it`, { state: from, action });
  }
}

/**
 * A creation's Idempotency-Key names an existing sandbox that was created from a different request (the HTTP
 * record of the first request expired, but the sandbox id is derived from the key): answering with the old
 * sandbox would silently ignore this body.
 */
export class SandboxIdempotencyKeyReusedError extends DomainError {
  readonly code = 'SANDBOX.IDEMPOTENCY_KEY_REUSED';
  readonly kind = 'unprocessable';
  constructor(sandboxId: string) {
    super(`this Idempotency-Key already created sandbox ${sandboxId} from a different request; use a new key`, { sandboxId });
  }
}
