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
