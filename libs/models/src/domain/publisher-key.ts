import { createHash, createPrivateKey, createPublicKey, KeyObject, sign, verify } from 'node:crypto';
import type { ModelManifest, SignedManifest } from '../contracts/model-package';
import { manifestSigningBytes } from './manifest.rules';
import { KeyInvalidError, SignatureInvalidError } from './models.errors';

// DER SubjectPublicKeyInfo prefix of an Ed25519 key (RFC 8410): the raw 32 bytes follow it.
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const BASE64 = /^[A-Za-z0-9+/_-]{42,44}={0,2}$/;

/** The raw 32 bytes of an Ed25519 public key. */
export function rawPublicKey(key: KeyObject): Buffer {
  if (key.asymmetricKeyType !== 'ed25519') throw new KeyInvalidError('not an Ed25519 key');
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return Buffer.from(pub.export({ format: 'jwk' }).x as string, 'base64url');
}

/** Publisher id (ADR 0016): lower-case hex SHA-256 of the raw public key. */
export function publisherIdOf(key: KeyObject): string {
  return createHash('sha256').update(rawPublicKey(key)).digest('hex');
}

/** An Ed25519 public key given as SPKI PEM or as its raw 32 bytes in base64 / base64url. */
export function parsePublicKey(text: string): KeyObject {
  const t = text.trim();
  let key: KeyObject;
  try {
    if (t.startsWith('-----BEGIN')) key = createPublicKey(t);
    else {
      if (!BASE64.test(t)) throw new Error('not base64');
      const raw = Buffer.from(t.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
      if (raw.length !== 32) throw new Error('not 32 bytes');
      key = createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
    }
  } catch {
    throw new KeyInvalidError('publicKey must be an Ed25519 public key: SPKI PEM, or the raw 32 bytes in base64');
  }
  if (key.asymmetricKeyType !== 'ed25519' || key.type !== 'public') throw new KeyInvalidError('publicKey must be an Ed25519 public key');
  return key;
}

/** An Ed25519 private key in PKCS#8 PEM (what `cave models keygen` writes). */
export function parsePrivateKey(pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    throw new KeyInvalidError('not a private key in PEM');
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new KeyInvalidError('the private key must be Ed25519');
  return key;
}

/** Public key of `key` as SPKI PEM. */
export function publicKeyPem(key: KeyObject): string {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return pub.export({ format: 'pem', type: 'spki' }).toString();
}

/** Signs a manifest whose `publisher` already names this key. */
export function signManifest(manifest: ModelManifest, privateKey: KeyObject): SignedManifest {
  if (manifest.publisher !== publisherIdOf(privateKey)) throw new KeyInvalidError('manifest.publisher does not name this key');
  return { manifest, signature: sign(null, manifestSigningBytes(manifest), privateKey).toString('base64url') };
}

/**
 * Throws `SignatureInvalidError` unless `signed.signature` verifies with `publicKey` and that key is the one
 * `manifest.publisher` names (a valid signature by another trusted key is still refused: the id is signed).
 */
export function verifyManifestSignature(signed: SignedManifest, publicKey: KeyObject): void {
  const { manifest } = signed;
  if (publisherIdOf(publicKey) !== manifest.publisher) throw new SignatureInvalidError(manifest.publisher);
  const sig = Buffer.from(signed.signature, 'base64url');
  if (sig.length !== 64 || !verify(null, manifestSigningBytes(manifest), publicKey, sig)) throw new SignatureInvalidError(manifest.publisher);
}
