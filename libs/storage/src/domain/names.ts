import { InvalidBucketNameError, InvalidObjectKeyError } from './storage.errors';

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
export const MAX_KEY_BYTES = 1024;
// C0 controls (NUL included) and DEL: not text a client means, and NUL cannot be stored by PostgreSQL.
const CONTROL = /[\u0000-\u001f\u007f]/;

/** S3's DNS-style rule, minus the dotted-IP and `..` corner cases. */
export function assertBucketName(name: string): void {
  if (!BUCKET.test(name) || name.includes('..')) throw new InvalidBucketNameError();
}

/**
 * Keys are opaque to the backends (fs stores by content hash), so traversal could not reach the disk; they are
 * still refused, because a key with `..` or `.` segments means something else to every client that maps keys to
 * paths. Checked on the decoded key, so `%2e%2e%2f` is the same `../` as the literal.
 */
export function assertObjectKey(key: string): void {
  if (key.length === 0) throw new InvalidObjectKeyError('empty');
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) throw new InvalidObjectKeyError(`longer than ${MAX_KEY_BYTES} bytes`);
  if (CONTROL.test(key)) throw new InvalidObjectKeyError('control characters (NUL included) are not allowed');
  if (key.includes('\ufffd')) throw new InvalidObjectKeyError('not valid UTF-8');
  if (key.startsWith('/')) throw new InvalidObjectKeyError('must not start with "/"');
  if (key.includes('\\')) throw new InvalidObjectKeyError('backslashes are not allowed');
  if (key.split('/').some((s) => s === '.' || s === '..')) throw new InvalidObjectKeyError('"." and ".." segments are not allowed');
}
