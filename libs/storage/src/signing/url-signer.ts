import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { SignedGrant, signGrant, verifyGrant } from '../domain/signed-url';

/** Base path of signed URLs; the namespace is in the path because the request carries no API key. */
export const SIGNED_PREFIX = '/api/v1/storage/signed';

/**
 * Signs and checks URLs with `CAVE_STORAGE_SIGNING_SECRET`, or with a secret generated once into the storage
 * root (0600) so `npm start` works without configuration. Daemons sharing a database must share the secret.
 */
export class UrlSigner {
  constructor(private readonly secret: string) {}

  static fromConfig(secret: string | undefined, fsRoot: string): UrlSigner {
    if (secret !== undefined) return new UrlSigner(secret);
    const path = join(fsRoot, 'signing.key');
    try {
      return new UrlSigner(readFileSync(path, 'utf8').trim());
    } catch {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      const fresh = randomBytes(32).toString('base64url');
      try {
        writeFileSync(path, fresh, { mode: 0o600, flag: 'wx' });
        return new UrlSigner(fresh);
      } catch {
        // Another process created it first: use theirs.
        return new UrlSigner(readFileSync(path, 'utf8').trim());
      }
    }
  }

  url(g: SignedGrant): string {
    const path = [g.namespace, g.bucket, ...g.key.split('/')].map(encodeURIComponent).join('/');
    const q = new URLSearchParams({ method: g.method, expires: String(g.expires), issuer: g.issuer, signature: signGrant(this.secret, g) });
    return `${SIGNED_PREFIX}/${path}?${q.toString()}`;
  }

  verify(g: SignedGrant, signature: string, nowSeconds = Math.floor(Date.now() / 1000)): void {
    verifyGrant(this.secret, g, signature, nowSeconds);
  }
}
