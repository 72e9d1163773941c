import { DomainError } from '@cave/kernel';

/** The log no longer extends the last signed checkpoint: signing another would fork the log. */
export class AuditForkError extends DomainError {
  readonly code = 'AUDIT.FORK_DETECTED';
  readonly kind = 'conflict' as const;
}

export class AuditProofRangeError extends DomainError {
  readonly code = 'AUDIT.PROOF_OUT_OF_RANGE';
  readonly kind = 'invalid' as const;
}

export class AuditEntryNotFoundError extends DomainError {
  readonly code = 'AUDIT.ENTRY_NOT_FOUND';
  readonly kind = 'not_found' as const;
}
