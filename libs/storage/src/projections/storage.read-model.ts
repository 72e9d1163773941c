/** Rows of the storage read models (tables `buckets`, `objects`, `object_upload_parts`) and their views. */
export interface BucketRow {
  name: string;
  version: number;
  created_at: Date;
}

export interface ObjectRow {
  bucket: string;
  key: string;
  size: string;
  sha256: string;
  content_type: string;
  blob: string;
  version: number;
  stored_at: Date;
}

export interface ObjectView {
  bucket: string;
  key: string;
  size: number;
  sha256: string;
  contentType: string;
  blob: string;
  version: number;
  storedAt: Date;
}

export interface BucketView {
  name: string;
  createdAt: Date;
}

export const BUCKET_COLUMNS = 'name, version, created_at';
export const OBJECT_COLUMNS = 'bucket, key, size, sha256, content_type, blob, version, stored_at';

export function toObjectView(r: ObjectRow): ObjectView {
  return {
    bucket: r.bucket,
    key: r.key,
    size: Number(r.size),
    sha256: r.sha256,
    contentType: r.content_type,
    blob: r.blob,
    version: r.version,
    storedAt: r.stored_at,
  };
}

export function toBucketView(r: BucketRow): BucketView {
  return { name: r.name, createdAt: r.created_at };
}
