import type { Readable } from 'node:stream';

/** What a stored object is, as other contexts see it. */
export interface StoredBlob {
  bucket: string;
  key: string;
  size: number;
  sha256: string;
  contentType: string;
  version: number;
}

/**
 * The port other contexts (sandbox snapshots and modules, model artifacts) use to keep large blobs in object
 * storage. Every call is an ordinary storage command in the caller's namespace: events, read models, quotas and
 * the sweeper apply exactly as for the HTTP API, so several daemons on one PostgreSQL share the blobs on S3.
 */
export interface BlobStore {
  /** Creates the bucket if it does not exist (no event when it does). */
  ensureBucket(namespace: string, bucket: string, actor: string): Promise<void>;
  /** Streams `body` into `bucket/key`; visible once bytes and event are durable. */
  put(namespace: string, bucket: string, key: string, body: Readable, opts: { actor: string; contentType?: string; size?: number }): Promise<StoredBlob>;
  /** The object's bytes, or undefined when there is no such object. */
  get(namespace: string, bucket: string, key: string): Promise<{ blob: StoredBlob; body: Readable } | undefined>;
  head(namespace: string, bucket: string, key: string): Promise<StoredBlob | undefined>;
  delete(namespace: string, bucket: string, key: string, actor: string): Promise<void>;
}

/** Injection token of the `BlobStore` the storage module exports. */
export const BLOB_STORE = Symbol('cave.storage.BlobStore');
