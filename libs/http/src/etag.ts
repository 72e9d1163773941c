import { DomainError } from '@cave/kernel';

export class InvalidIfMatchError extends DomainError {
  readonly code = 'HTTP.INVALID_IF_MATCH';
  readonly kind = 'invalid';
  constructor() {
    super('If-Match must be one entity tag as returned in ETag, e.g. "3" (or *)');
  }
}

/** Strong entity tag of a stream version. */
export function versionETag(version: number): string {
  return `"${version}"`;
}

/**
 * The version an If-Match header asks for; undefined when absent or `*` (any current version).
 * Weak tags never match under If-Match's strong comparison (RFC 9110 13.1.1), so they are rejected.
 */
export function parseIfMatch(header: string | string[] | undefined): number | undefined {
  if (header === undefined) return undefined;
  const value = Array.isArray(header) ? header.join(',') : header;
  if (value.trim() === '*') return undefined;
  const m = /^\s*"(\d{1,9})"\s*$/.exec(value);
  if (!m) throw new InvalidIfMatchError();
  return Number(m[1]);
}
