import type { FieldProblem } from '@cave/kernel';
import type { ModelManifest, SignedManifest } from '../contracts/model-package';
import { ManifestInvalidError, PackageMalformedError } from './models.errors';

/** ADR 0016 bounds. */
export const MIN_CHUNK_SIZE = 64 * 1024;
export const MAX_CHUNK_SIZE = 64 * 1024 * 1024;
export const DEFAULT_CHUNK_SIZE = 4 * 1024 * 1024;

const NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const VERSION = /^[\x20-\x7e]{1,64}$/;
const LICENSE = /^[\x20-\x7e]{1,128}$/;
const HEX64 = /^[0-9a-f]{64}$/;
// 64 signature bytes, base64url without padding.
const SIGNATURE = /^[A-Za-z0-9_-]{86}$/;
const MANIFEST_KEYS = ['chunkSize', 'chunks', 'format', 'license', 'name', 'publisher', 'sha256', 'sizeBytes', 'version'] as const;

export function isValidChunkSize(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= MIN_CHUNK_SIZE && n <= MAX_CHUNK_SIZE && (n & (n - 1)) === 0;
}

export function chunkCountOf(sizeBytes: number, chunkSize: number): number {
  return Math.ceil(sizeBytes / chunkSize);
}

/** Byte length of chunk `index` (the last one may be shorter). */
export function chunkLengthOf(m: Pick<ModelManifest, 'sizeBytes' | 'chunkSize'>, index: number): number {
  return Math.min(m.chunkSize, m.sizeBytes - index * m.chunkSize);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Checks an untrusted value against the manifest schema and returns it typed. Unknown members are refused: they
 * would be signed but ignored, so two manifests meaning the same thing could carry different signatures.
 */
export function parseManifest(value: unknown): ModelManifest {
  if (!isObject(value)) throw new ManifestInvalidError([{ field: 'manifest', message: 'must be an object' }]);
  const p: FieldProblem[] = [];
  const bad = (field: string, message: string) => p.push({ field, message });
  for (const k of Object.keys(value)) if (!(MANIFEST_KEYS as readonly string[]).includes(k)) bad(k, 'is not a manifest field');
  const v = value;
  if (typeof v.name !== 'string' || !NAME.test(v.name)) bad('name', 'must match [a-z0-9][a-z0-9._-]{0,63}');
  if (typeof v.version !== 'string' || !VERSION.test(v.version)) bad('version', 'must be 1 to 64 printable ASCII characters');
  if (v.format !== 'gguf') bad('format', 'must be "gguf"');
  if (typeof v.sha256 !== 'string' || !HEX64.test(v.sha256)) bad('sha256', 'must be 64 lower-case hex digits');
  if (typeof v.sizeBytes !== 'number' || !Number.isSafeInteger(v.sizeBytes) || v.sizeBytes < 1) bad('sizeBytes', 'must be a positive integer');
  if (!isValidChunkSize(v.chunkSize)) bad('chunkSize', `must be a power of two from ${MIN_CHUNK_SIZE} to ${MAX_CHUNK_SIZE}`);
  if (typeof v.license !== 'string' || !LICENSE.test(v.license)) bad('license', 'must be 1 to 128 printable ASCII characters');
  if (typeof v.publisher !== 'string' || !HEX64.test(v.publisher)) bad('publisher', 'must be 64 lower-case hex digits (sha256 of the raw public key)');
  if (!Array.isArray(v.chunks)) bad('chunks', 'must be an array of sha256 hex digests');
  else {
    const i = v.chunks.findIndex((c) => typeof c !== 'string' || !HEX64.test(c));
    if (i >= 0) bad(`chunks.${i}`, 'must be 64 lower-case hex digits');
    if (p.length === 0 && v.chunks.length !== chunkCountOf(v.sizeBytes as number, v.chunkSize as number)) {
      bad('chunks', `must list ceil(sizeBytes / chunkSize) = ${chunkCountOf(v.sizeBytes as number, v.chunkSize as number)} hashes`);
    }
  }
  if (p.length > 0) throw new ManifestInvalidError(p);
  return value as unknown as ModelManifest;
}

/** Checks the `{manifest, signature}` header shape (not the signature itself: see `manifest-signature`). */
export function parseSignedManifest(value: unknown): SignedManifest {
  if (!isObject(value)) throw new PackageMalformedError('the package header must be a JSON object {manifest, signature}');
  const extra = Object.keys(value).filter((k) => k !== 'manifest' && k !== 'signature');
  if (extra.length > 0) throw new PackageMalformedError(`unknown header members: ${extra.join(', ')}`);
  const manifest = parseManifest(value.manifest);
  if (typeof value.signature !== 'string' || !SIGNATURE.test(value.signature)) {
    throw new ManifestInvalidError([{ field: 'signature', message: 'must be a base64url Ed25519 signature (86 characters)' }]);
  }
  return { manifest, signature: value.signature };
}

/**
 * The RFC 8785 (JCS) bytes that are signed. A valid manifest holds only strings, safe integers and an array of
 * strings, for which JCS is exactly JSON.stringify with members in code-unit order; `manifest.rules.spec.ts`
 * checks this against the `canonicalize` package (ESM-only, so not loadable here under jest's CommonJS).
 */
export function manifestSigningBytes(m: ModelManifest): Buffer {
  const sorted: Record<string, unknown> = {};
  for (const k of MANIFEST_KEYS) sorted[k] = m[k];
  return Buffer.from(JSON.stringify(sorted), 'utf8');
}
