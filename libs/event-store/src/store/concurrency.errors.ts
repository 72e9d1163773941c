import { ExpectedVersion } from './event.types';

/** The stream moved since the caller read it (or exists when it must not). Maps to 409/412. */
export class ConcurrencyError extends Error {
  readonly code = 'EVENT_STORE.CONCURRENCY';
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedVersion,
    readonly actual?: number,
  ) {
    super(
      `stream ${streamId}: expected version ${String(expected)}` + (actual === undefined ? ' but it moved' : `, actual ${actual}`),
    );
    this.name = 'ConcurrencyError';
  }
}

/** An append's precondition (AppendOptions.precondition) found nothing: nothing was appended. */
export class PreconditionFailedError extends Error {
  readonly code = 'EVENT_STORE.PRECONDITION_FAILED';
  constructor(readonly streamId: string) {
    super(`stream ${streamId}: the append's precondition did not hold; nothing was appended`);
    this.name = 'PreconditionFailedError';
  }
}
