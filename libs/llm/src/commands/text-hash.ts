import { createHash } from 'node:crypto';

export const sha256Hex = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');

/** PostgreSQL's jsonb refuses U+0000: stored text carries U+FFFD instead (the hash is of the real text). */
export const storable = (s: string): string => s.replace(/\u0000/g, '\uFFFD');
