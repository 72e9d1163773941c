import { DomainError } from '@cave/kernel';

/** A point in the history: after the event at a global position, or at an instant. */
export type PointInTime = { position: number } | { time: Date };

export class InvalidPointInTimeError extends DomainError {
  readonly code = 'STREAM.INVALID_AT';
  readonly kind = 'invalid';
  constructor(raw: string) {
    super(`"at" must be a global position (a non-negative integer) or an ISO 8601 timestamp, got ${JSON.stringify(raw.slice(0, 60))}`);
  }
}

const ISO = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** Parses the `at` query parameter; undefined means "now". */
export function parsePointInTime(raw: string | undefined): PointInTime | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (/^\d{1,15}$/.test(raw)) return { position: Number(raw) };
  if (ISO.test(raw)) {
    const time = new Date(raw);
    if (!Number.isNaN(time.getTime())) return { time };
  }
  throw new InvalidPointInTimeError(raw);
}
