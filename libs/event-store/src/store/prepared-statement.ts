import { createHash } from 'node:crypto';

const named = new Map<string, string>();

/**
 * A named prepared statement for a statement text from a small, fixed set (hot paths: appends, inline and
 * replayed projections). Named by content, so each pooled connection parses and plans it once, and a changed
 * text gets a new name instead of "prepared statement already exists" or a stale plan.
 */
export function preparedStatement(text: string): { name: string; text: string } {
  let name = named.get(text);
  if (name === undefined) {
    name = `cave_s_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
    named.set(text, name);
  }
  return { name, text };
}
