/**
 * The audit log's line format as published in docs/api.md: the entry's RFC 8785 canonical JSON. Entries
 * are flat objects of strings, nulls and safe integers, so canonical form = keys in UTF-16 order with
 * JSON.stringify values (which match RFC 8785 for these types).
 */
export interface AuditEntry {
  seq: number;
  globalPosition: number;
  eventId: string;
  eventType: string;
  namespace: string;
  actor: string | null;
  recordedAt: string;
  dataSha256: string;
  prevHash: string;
  hash: string;
  keyId: string | null;
  hmac: string | null;
}

function canonical(obj: Record<string, unknown>): string {
  const keys = Object.keys(obj).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalValue(obj[k])}`).join(',')}}`;
}

function canonicalValue(v: unknown): string {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return JSON.stringify(v);
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) throw new Error('audit entries hold integers only');
    return String(v);
  }
  throw new Error('audit entries are flat');
}

/** The JSONL line whose leaf hash is in the Merkle tree. */
export const entryLine = (e: AuditEntry): string => canonical(e as unknown as Record<string, unknown>);

/** What the entry's own `hash` must be: SHA-256 hex over the canonical entry without hash and hmac. */
export function entryBody(e: AuditEntry): string {
  const rest: Record<string, unknown> = { ...e };
  delete rest.hash;
  delete rest.hmac;
  return canonical(rest);
}
