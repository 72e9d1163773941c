/**
 * Public contract of the keys context: the persisted event names and payloads of the `api_key`
 * stream. Other contexts (audit, realtime, admin history) may rely on these shapes; changing one
 * means a new schema version plus an upcaster, never an edit in place.
 */
import { registerSensitiveFields } from '@cave/event-store';

export const API_KEY_STREAM_TYPE = 'api_key';

/** The namespace of the daemon's own keys (the bootstrap admin key). */
export const SYSTEM_NAMESPACE = 'system';

export const KEY_ISSUED = 'key_issued';
export const KEY_REVOKED = 'key_revoked';
/** Reserved for rotation (DESIGN.md §8); not emitted yet. */
export const KEY_ROTATED = 'key_rotated';

export const API_KEY_EVENT_TYPES = [KEY_ISSUED, KEY_REVOKED] as const;

export type ApiKeyRole = 'member' | 'admin';
export const API_KEY_ROLES: readonly ApiKeyRole[] = ['member', 'admin'];

/** `api_key-<uuid>`: one stream per key; the event namespace is the key's namespace. */
export function apiKeyStreamId(keyId: string): string {
  return `api_key-${keyId}`;
}

/**
 * Never the secret itself: only its SHA-256 (hex), which is what authentication compares, so the
 * read model can be rebuilt from the events alone.
 */
export interface KeyIssuedData {
  keyId: string;
  namespace: string;
  name: string;
  role: ApiKeyRole;
  /** First characters of the key, shown to humans to tell keys apart. */
  prefix: string;
  secretSha256: string;
  issuedAt: string;
}

// The digest is the lookup credential of `api_keys`: kept for rebuilds, never shown to clients.
registerSensitiveFields(KEY_ISSUED, ['secretSha256']);

export interface KeyRevokedData {
  keyId: string;
  revokedAt: string;
}

export type ApiKeyEvent = { type: typeof KEY_ISSUED; data: KeyIssuedData } | { type: typeof KEY_REVOKED; data: KeyRevokedData };
