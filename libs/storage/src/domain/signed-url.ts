import { createHmac, timingSafeEqual } from 'node:crypto';
import { SignedUrlExpiredError, SignedUrlInvalidError } from './storage.errors';

export type SignedMethod = 'GET' | 'PUT';

/** What one signature grants: one method on one key of one bucket of one namespace, until `expires`. */
export interface SignedGrant {
  namespace: string;
  bucket: string;
  key: string;
  method: SignedMethod;
  /** Unix seconds. */
  expires: number;
  /** The API key that asked for it (recorded as the actor of a signed PUT). */
  issuer: string;
}

export const MAX_SIGNED_TTL_SECONDS = 7 * 24 * 3600;

/** Fields joined by a newline, which no field can contain (keys have no control characters), so no two grants collide. */
function payload(g: SignedGrant): string {
  return ['cave-storage-v1', g.method, g.namespace, g.bucket, g.key, String(g.expires), g.issuer].join('\n');
}

export function signGrant(secret: string, g: SignedGrant): string {
  return createHmac('sha256', secret).update(payload(g), 'utf8').digest('base64url');
}

/** Throws unless `signature` is the one for exactly this grant and it has not expired at `nowSeconds`. */
export function verifyGrant(secret: string, g: SignedGrant, signature: string, nowSeconds: number): void {
  const expected = Buffer.from(signGrant(secret, g));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new SignedUrlInvalidError();
  if (g.expires < nowSeconds) throw new SignedUrlExpiredError();
}
