import { DatabaseError } from 'pg';
import { ConcurrencyError } from './concurrency.errors';
import { ExpectedVersion } from './event.types';
import type { InlineProjection } from './inline-projection';

/** A failed append as the caller should see it: a conflict, a projection's domain outcome, or the error itself. */
export function appendFailure(e: unknown, streamId: string, expected: ExpectedVersion, projection?: InlineProjection<unknown>): { conflict?: ConcurrencyError; error: unknown } {
  if (!(e instanceof DatabaseError)) return { error: e };
  const violations = projection?.violations;
  if (violations && e.constraint && Object.hasOwn(violations, e.constraint)) return { error: violations[e.constraint]() };
  if (e.code === 'CV409') {
    const detail = e.detail ? (JSON.parse(e.detail) as { actual: number }) : undefined;
    const conflict = new ConcurrencyError(streamId, expected, detail?.actual);
    return { conflict, error: conflict };
  }
  if (e.code === '23505' && (e.constraint === 'events_stream_version_unique' || e.constraint === 'event_idempotency_pkey')) {
    const conflict = new ConcurrencyError(streamId, expected);
    return { conflict, error: conflict };
  }
  return { error: e };
}
