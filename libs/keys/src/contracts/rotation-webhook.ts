import type { KeyRevokedData, KeyRotatedData } from './api-key.events';

/**
 * The body of the `key_rotated` webhook, built from the event alone so the RotationOutcome, every
 * delivery attempt and every endpoint carry the same bytes. No secret: the new key travels only in
 * the rotation response; peers learn which key id to retire and when.
 */
export function rotationWebhookBody(d: KeyRotatedData): string {
  return JSON.stringify({
    id: d.webhookId,
    type: 'key_rotated',
    createdAt: d.rotatedAt,
    namespace: d.namespace,
    data: { keyId: d.keyId, newKeyId: d.newKeyId, newKeyPrefix: d.newKeyPrefix, graceSeconds: d.graceSeconds, revokedAt: d.revokesAt },
  });
}

export function revocationWebhookBody(id: string, namespace: string, d: KeyRevokedData): string {
  return JSON.stringify({ id, type: 'key_revoked', createdAt: d.revokedAt, namespace, data: { keyId: d.keyId, revokedAt: d.revokedAt, reason: d.reason ?? 'revoked' } });
}

/** What a receiver reads from a verified `key_rotated` webhook. */
export interface ReceivedRotation {
  webhookId: string;
  keyId: string;
  newKeyId: string;
  revokedAt: Date;
}
