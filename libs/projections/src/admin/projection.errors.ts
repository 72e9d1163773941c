import { DomainError } from '@cave/kernel';

export class ProjectionNotFoundError extends DomainError {
  readonly code = 'PROJECTION.NOT_FOUND';
  readonly kind = 'not_found';
  constructor(name: string) {
    super(`no projection named ${JSON.stringify(name)}`);
  }
}

export class ProjectionNotFailedError extends DomainError {
  readonly code = 'PROJECTION.NOT_FAILED';
  readonly kind = 'conflict';
  constructor(name: string) {
    super(`projection ${name} is not stopped at a failing event; nothing to retry or skip`);
  }
}

export class SkipPositionMismatchError extends DomainError {
  readonly code = 'PROJECTION.SKIP_POSITION_MISMATCH';
  readonly kind = 'conflict';
  constructor(name: string, expected: number, actual: number | null) {
    super(`projection ${name} is stopped at position ${actual ?? 'none'}, not ${expected}; nothing skipped`, { failedPosition: actual });
  }
}

export class ProjectionNotRebuildableError extends DomainError {
  readonly code = 'PROJECTION.NOT_REBUILDABLE';
  readonly kind = 'conflict';
  constructor(name: string, reason: 'append_only' | 'no_tables') {
    super(
      reason === 'append_only'
        ? `projection ${name} is append-only: its output is never dropped or rewritten, so it cannot be rebuilt`
        : `projection ${name} owns no read-model tables, so it cannot be rebuilt (it would repeat its side effects)`,
      { reason },
    );
  }
}
