import { createHash } from 'node:crypto';

/** A key may be 1024 bytes of anything: its stream id uses a digest, so ids stay short and opaque. */
export function objectStreamId(namespace: string, bucket: string, key: string): string {
  return `object-${namespace}/${bucket}/${createHash('sha256').update(key, 'utf8').digest('hex')}`;
}

export function uploadStreamId(namespace: string, uploadId: string): string {
  return `object_upload-${namespace}/${uploadId}`;
}
