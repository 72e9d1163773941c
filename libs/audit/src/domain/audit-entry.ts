import { hash as oneShot } from 'node:crypto';
import { canonicalJson } from './canonical-json';

/** 64 zeros: the `prevHash` of entry 0. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * One line of the audit log. Field names are the published format: changing one breaks every
 * verifier, so they are listed once here and in `ENTRY_KEYS` (their RFC 8785 order).
 */
export interface AuditEntry {
  seq: number;
  globalPosition: number;
  eventId: string;
  eventType: string;
  namespace: string;
  actor: string | null;
  recordedAt: string;
  /** SHA-256 hex of the RFC 8785 form of the event's data. */
  dataSha256: string;
  prevHash: string;
  /** SHA-256 hex of the canonical entry without `hash` and `hmac`. */
  hash: string;
  /** Names the HMAC key (never the key); null when the log was written without one. */
  keyId: string | null;
  /** base64 HMAC-SHA256(key, hash); null when unsigned. */
  hmac: string | null;
}

export type AuditEntryBody = Omit<AuditEntry, 'hash' | 'hmac'>;

/** Keys in RFC 8785 order (UTF-16 code units). */
export const ENTRY_KEYS = [
  'actor', 'dataSha256', 'eventId', 'eventType', 'globalPosition', 'hash', 'hmac',
  'keyId', 'namespace', 'prevHash', 'recordedAt', 'seq',
] as const;
const STRING_KEYS = new Set(['dataSha256', 'eventId', 'eventType', 'hash', 'namespace', 'prevHash', 'recordedAt']);
const NULLABLE_KEYS = new Set(['actor', 'hmac', 'keyId']);
const INT_KEYS = new Set(['globalPosition', 'seq']);

export function sha256Hex(data: string | Buffer): string {
  return oneShot('sha256', data, 'hex');
}

/**
 * Canonical JSON of an entry (or of its body without hash/hmac). Entries have a fixed flat shape,
 * so the members are written in their known order; anything else (extra keys, wrong types) falls
 * back to the generic serializer, which yields the same bytes for well-formed input.
 */
export function canonicalEntry(entry: Record<string, unknown>, withoutHash = false): string {
  let out = '{';
  let n = 0;
  for (const key of ENTRY_KEYS) {
    if (withoutHash && (key === 'hash' || key === 'hmac')) continue;
    const v = entry[key];
    const ok = STRING_KEYS.has(key)
      ? typeof v === 'string'
      : NULLABLE_KEYS.has(key)
        ? v === null || typeof v === 'string'
        : INT_KEYS.has(key) && Number.isSafeInteger(v);
    if (!ok) return slowCanonical(entry, withoutHash);
    out += `${n++ === 0 ? '' : ','}"${key}":${JSON.stringify(v)}`;
  }
  const own = Object.keys(entry).length - (withoutHash ? Number('hash' in entry) + Number('hmac' in entry) : 0);
  if (own !== n) return slowCanonical(entry, withoutHash);
  return out + '}';
}

function slowCanonical(entry: Record<string, unknown>, withoutHash: boolean): string {
  if (!withoutHash) return canonicalJson(entry);
  const rest = { ...entry };
  delete rest.hash;
  delete rest.hmac;
  return canonicalJson(rest);
}

/** The entry's own hash: SHA-256 over the canonical entry without `hash`/`hmac`. */
export function entryHash(entry: Record<string, unknown>): string {
  return sha256Hex(canonicalEntry(entry, true));
}

/** An HMAC key as the log sees it: a public name and a way to sign a hash. */
export interface EntrySigner {
  keyId: string;
  mac(hash: string): string;
}

/** Builds a chained (and, with a signer, HMAC-signed) entry from an event's audited facts. */
export function sealEntry(body: Omit<AuditEntryBody, 'keyId'>, signer?: EntrySigner): AuditEntry {
  const withKey: AuditEntryBody = { ...body, keyId: signer?.keyId ?? null };
  const hash = entryHash(withKey as unknown as Record<string, unknown>);
  return { ...withKey, hash, hmac: signer ? signer.mac(hash) : null };
}

/** Digest of an event payload as the entry records it. */
export function dataDigest(data: unknown): string {
  return sha256Hex(canonicalJson(data ?? null));
}
