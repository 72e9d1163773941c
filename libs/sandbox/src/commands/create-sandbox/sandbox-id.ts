import { createHash, randomUUID } from 'node:crypto';

/**
 * A new sandbox's id. With an idempotency key it is derived from (namespace, key), so a retry
 * that re-executes after a crash between commit and the HTTP idempotency record targets the same
 * stream and the store's per-stream idempotency answers it instead of creating a second sandbox.
 * Shaped as an RFC 9562 version 8 (custom) UUID.
 */
export function newSandboxId(namespace: string, idempotencyKey?: string): string {
  if (idempotencyKey === undefined) return randomUUID();
  const b = createHash('sha256').update(`cave:sandbox:${namespace}\0${idempotencyKey}`).digest().subarray(0, 16);
  b[6] = (b[6] & 0x0f) | 0x80;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
