import { randomBytes } from 'node:crypto';
import { readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { NoteSigner } from '../domain/signed-note';

export const SIGNING_KEY_FILE = 'audit-signing.key';

/**
 * The checkpoint signing key: `CAVE_AUDIT_SIGNING_KEY` (Go note private key format
 * `PRIVATE+KEY+<name>+<id>+<base64>`), else generated once and kept 0600 in the data dir.
 * Instances sharing one database must share this key, or their checkpoints carry different signers.
 */
export function loadSigningKey(configured: string | undefined, dataDir: string, warn: (msg: string) => void = () => undefined): NoteSigner {
  if (configured !== undefined) return NoteSigner.fromPrivateKey(configured);
  const path = join(dataDir, SIGNING_KEY_FILE);
  mkdirSync(dataDir, { recursive: true });
  try {
    const { signer, privateKey } = NoteSigner.generate(`cave-audit-${randomBytes(4).toString('hex')}`);
    // 'wx' fails when the file exists, so two processes starting together keep one key.
    writeFileSync(path, privateKey + '\n', { mode: 0o600, flag: 'wx' });
    return signer;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  if ((statSync(path).mode & 0o077) !== 0) warn(`${path} is readable by other users; it should be mode 0600`);
  return NoteSigner.fromPrivateKey(readFileSync(path, 'utf8'));
}
