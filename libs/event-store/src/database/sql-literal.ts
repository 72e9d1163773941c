// pg's own conversion of a parameter value to its text form (arrays, dates, JSON, toPostgres), so a batched
// statement receives exactly the text the extended protocol would have bound. Not in pg's typings.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { prepareValue } = require('pg/lib/utils') as { prepareValue(value: unknown): string | Buffer | null };

/**
 * A parameter value as an SQL literal for a statement we send as simple-protocol text (`EXECUTE name(...)`
 * in a batch). Values that text cannot carry exactly are refused, so the caller can bind that statement
 * as a parameter instead.
 */
export function toSqlLiteral(value: unknown, escapeLiteral: (s: string) => string): string {
  const text = prepareValue(value);
  if (text === null) return 'NULL';
  if (typeof text !== 'string') throw new UnsupportedLiteralError('binary data');
  // A simple-protocol query is a C string: a NUL would cut the batch short. PostgreSQL refuses NUL in text
  // anyway; the bound-parameter path reports that error for this one statement.
  if (text.includes('\0')) throw new UnsupportedLiteralError('a string with a NUL character');
  return escapeLiteral(text);
}

/** A batch value that text cannot carry exactly (the caller sends that statement with bound parameters). */
export class UnsupportedLiteralError extends Error {
  constructor(what: string) {
    super(`cannot send ${what} as an SQL literal`);
  }
}
