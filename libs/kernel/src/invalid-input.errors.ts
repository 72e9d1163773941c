import { DomainError } from './domain-error';

/** One refused field of a command's input: `field` is a dotted path (`limits.memoryMb`). */
export interface FieldProblem {
  field: string;
  message: string;
}

/**
 * The stable code of "this input breaks a rule": the same whether a DTO at the REST edge or a domain
 * parser (`SandboxSpec.parse`) refused it, so every edge answers the same bad input the same way.
 * The value predates the domain rules (REST clients already match on it), hence its prefix.
 */
export const VALIDATION_CODE = 'HTTP.VALIDATION';

/** Input that a domain rule refuses; `errors` names each field, as the REST validation does. */
export class InvalidInputError extends DomainError {
  readonly code = VALIDATION_CODE;
  readonly kind = 'invalid';

  constructor(readonly errors: FieldProblem[]) {
    super('request validation failed', { errors });
  }
}
