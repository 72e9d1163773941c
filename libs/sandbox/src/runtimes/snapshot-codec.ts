import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { QuickJsImageHeader } from './quickjs/quickjs-instance';

const MAGIC = Buffer.from('CAVESNP1');
/** A decoded image is never larger than the largest memory cap a sandbox can have (1 GiB). */
const MAX_RAW_BYTES = 1024 * 1024 * 1024 + 64 * 1024;

export class SnapshotFormatError extends Error {
  readonly code = 'SANDBOX.SNAPSHOT_INCOMPATIBLE';
}

/**
 * At-rest form of a QuickJS memory image: magic, header length, JSON header (build + addresses),
 * raw memory; gzip level 1 (a 16 MiB image of a small program is ~150 KiB and takes ~20 ms).
 * Content-addressed by the SHA-256 of the compressed bytes.
 */
export function encodeSnapshot(header: QuickJsImageHeader, bytes: Uint8Array): { blob: Buffer; sha256: string; rawBytes: number } {
  const head = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(4);
  len.writeUInt32BE(head.length);
  const blob = gzipSync(Buffer.concat([MAGIC, len, head, bytes]), { level: 1 });
  return { blob, sha256: sha256Hex(blob), rawBytes: bytes.byteLength };
}

export function decodeSnapshot(blob: Uint8Array): { header: QuickJsImageHeader; bytes: Uint8Array } {
  let raw: Buffer;
  try {
    raw = gunzipSync(blob, { maxOutputLength: MAX_RAW_BYTES });
  } catch {
    throw new SnapshotFormatError('snapshot blob is not a readable image');
  }
  if (raw.length < 12 || !raw.subarray(0, 8).equals(MAGIC)) throw new SnapshotFormatError('snapshot blob has an unknown format');
  const len = raw.readUInt32BE(8);
  if (12 + len > raw.length) throw new SnapshotFormatError('snapshot header is truncated');
  let header: QuickJsImageHeader;
  try {
    header = JSON.parse(raw.subarray(12, 12 + len).toString('utf8')) as QuickJsImageHeader;
  } catch {
    throw new SnapshotFormatError('snapshot header is not JSON');
  }
  return { header, bytes: raw.subarray(12 + len) };
}

/** Reads only the header (build and size), e.g. to refuse an incompatible snapshot before shipping it to a worker. */
export function snapshotHeader(blob: Uint8Array): QuickJsImageHeader {
  return decodeSnapshot(blob).header;
}

export function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
