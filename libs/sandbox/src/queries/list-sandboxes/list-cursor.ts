import { DomainError } from '@cave/kernel';

export class InvalidListCursorError extends DomainError {
  readonly code = 'SANDBOX.INVALID_CURSOR';
  readonly kind = 'invalid';
  constructor() {
    super('cursor is not one this API returned; start again without a cursor');
  }
}

/** Opaque keyset cursor over `created_position` (descending). Versioned so the scheme can change. */
export function encodeListCursor(createdPosition: number): string {
  return Buffer.from(`v1:${createdPosition}`).toString('base64url');
}

export function decodeListCursor(cursor: string): number {
  const m = /^v1:(\d{1,18})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m || Buffer.from(`v1:${m[1]}`).toString('base64url') !== cursor) throw new InvalidListCursorError();
  return Number(m[1]);
}
