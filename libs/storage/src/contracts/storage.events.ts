/** Public event vocabulary of the storage context (stable strings, schema version 1). */
export const BUCKET_STREAM_TYPE = 'bucket';
export const OBJECT_STREAM_TYPE = 'object';
export const UPLOAD_STREAM_TYPE = 'object_upload';

export interface BucketEventData {
  bucket: string;
}

export interface ObjectStoredData {
  bucket: string;
  key: string;
  size: number;
  sha256: string;
  contentType: string;
  /** Object version: the object stream's version at this event. */
  version: number;
  /** Where the backend keeps the bytes (fs: the sha256; s3: a generated id). */
  blob: string;
}

export interface ObjectDeletedData {
  bucket: string;
  key: string;
  version: number;
}

export type BucketEvent = { type: 'bucket_created'; data: BucketEventData } | { type: 'bucket_deleted'; data: BucketEventData };
export type ObjectEvent = { type: 'object_stored'; data: ObjectStoredData } | { type: 'object_deleted'; data: ObjectDeletedData };

export const BUCKET_EVENT_TYPES = ['bucket_created', 'bucket_deleted'];
export const OBJECT_EVENT_TYPES = ['object_stored', 'object_deleted'];

/** Stream ids carry the namespace: names are per namespace, stream ids are global. */
export function bucketStreamId(namespace: string, bucket: string): string {
  return `bucket-${namespace}/${bucket}`;
}
