import { InvalidListCursorError } from './storage.errors';

/** Where a listing resumes: strictly after a name (`after`), or at a name (`from`, behind a skipped common prefix). */
export type ListPosition = { after: string } | { from: string };

/**
 * Opaque keyset cursor for listings in byte order. Versioned, and decoded strictly (re-encoding must reproduce
 * it), so a hand-made cursor is a 400, never a surprise.
 */
export function encodeCursor(p: ListPosition): string {
  const text = 'after' in p ? `v1:a:${p.after}` : `v1:f:${p.from}`;
  return Buffer.from(text, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): ListPosition {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const m = /^v1:([af]):/.exec(text);
  if (!m) throw new InvalidListCursorError();
  const value = text.slice(5);
  const p: ListPosition = m[1] === 'a' ? { after: value } : { from: value };
  if (encodeCursor(p) !== cursor) throw new InvalidListCursorError();
  return p;
}

/**
 * The smallest string greater than every string that starts with `prefix` (code-point order, which is the byte
 * order of UTF-8 and of PostgreSQL's "C" collation): where a listing resumes after a common prefix.
 */
export function afterPrefix(prefix: string): string {
  const cps = [...prefix];
  const last = cps.pop();
  if (last === undefined) return '';
  return cps.join('') + String.fromCodePoint(last.codePointAt(0)! + 1);
}
