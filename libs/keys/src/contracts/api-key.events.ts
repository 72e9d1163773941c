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
/** A key was replaced by a new one; it stays valid until `revokesAt` (the grace window), then `key_revoked` follows. */
export const KEY_ROTATED = 'key_rotated';

export const API_KEY_EVENT_TYPES = [KEY_ISSUED, KEY_REVOKED, KEY_ROTATED] as const;

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
  /** Set when the key was issued by rotating this key id. */
  rotatedFrom?: string;
}

// The digest is the lookup credential of `api_keys`: kept for rebuilds, never shown to clients.
registerSensitiveFields(KEY_ISSUED, ['secretSha256']);

export interface KeyRevokedData {
  keyId: string;
  revokedAt: string;
  /** Why, when it was not a plain DELETE: the grace window of a rotation ended. */
  reason?: 'rotation';
}

/**
 * The outbox entry of a rotation (ADR 0010): the webhooks context turns it into signed deliveries.
 * `origin: 'peer'` marks a rotation applied from a verified webhook of another daemon; it is not sent on.
 */
export interface KeyRotatedData {
  keyId: string;
  newKeyId: string;
  newKeyPrefix: string;
  namespace: string;
  graceSeconds: number;
  rotatedAt: string;
  /** When the old key stops authenticating (= rotatedAt for a rotation without grace). */
  revokesAt: string;
  /** Stable id of the webhook that announces this rotation (every attempt, every endpoint). */
  webhookId: string;
  origin: 'local' | 'peer';
}

export type ApiKeyEvent =
  | { type: typeof KEY_ISSUED; data: KeyIssuedData }
  | { type: typeof KEY_REVOKED; data: KeyRevokedData }
  | { type: typeof KEY_ROTATED; data: KeyRotatedData };
