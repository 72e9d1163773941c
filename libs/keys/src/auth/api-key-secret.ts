import { createHash, randomBytes } from 'node:crypto';

export const API_KEY_SCHEME = 'cave_sk_';
/** Characters of the key kept in clear to tell keys apart (`cave_sk_` + 4). */
export const PREFIX_LENGTH = 12;
const SECRET_BYTES = 32;
/**
 * Generated keys are 43 base64url characters after the scheme; configured bootstrap keys need at
 * least 24. The upper bound keeps hashing cheap for hostile input.
 */
const WELL_FORMED = /^cave_sk_[A-Za-z0-9_-]{24,200}$/;

/** A new key: 256 random bits, base64url. Shown to the caller once and never stored. */
export function generateApiKey(): string {
  return API_KEY_SCHEME + randomBytes(SECRET_BYTES).toString('base64url');
}

const BEARER = /^Bearer +(\S+) *$/i;

/** The token of an `Authorization: Bearer <token>` header, well-formed or not. */
export function presentedToken(header: string | undefined): string | undefined {
  return header === undefined ? undefined : BEARER.exec(header)?.[1];
}

/** The well-formed API key an `Authorization` header presents, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  const token = presentedToken(header);
  return token !== undefined && isWellFormedApiKey(token) ? token : undefined;
}

/** Cheap syntactic check before any database work. */
export function isWellFormedApiKey(token: string): boolean {
  return WELL_FORMED.test(token);
}

/**
 * SHA-256 (hex) is what we store and compare. A slow password hash is unnecessary: keys carry
 * >= 128 random bits, so brute force over the digest is hopeless, and every request hashes once.
 */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function apiKeyPrefix(key: string): string {
  return key.slice(0, PREFIX_LENGTH);
}
