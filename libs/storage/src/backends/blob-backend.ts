import type { Readable } from 'node:stream';

/** The bytes a backend made durable, and how to find them again. */
export interface WrittenBlob {
  /** Backend-specific id (fs: the sha256, content-addressed; s3: a generated id). */
  blob: string;
  size: number;
  sha256: string;
}

export interface BlobInfo {
  blob: string;
  modifiedAt: Date;
}

/**
 * Where object bytes live. Metadata never does: it is in events and read models. A write resolves only once the
 * bytes are durable (fsync + rename, or the S3 PUT acknowledged); until the `object_stored` event commits, the
 * blob is an orphan the sweeper may collect after the grace period.
 */
export interface BlobBackend {
  readonly name: 'fs' | 's3';
  /**
   * Streams `source` to durable storage while hashing it. With `expectedSize`, a body of any other length fails
   * with `ContentLengthMismatchError` and leaves nothing behind; a source that errors leaves nothing behind either.
   */
  write(source: Readable, opts?: { expectedSize?: number }): Promise<WrittenBlob>;
  /** A stream of the blob's bytes (`end` inclusive); rejects when the blob does not exist. */
  read(blob: string, range?: { start: number; end: number }): Promise<Readable>;
  exists(blob: string): Promise<boolean>;
  /** Last modification, or undefined when the blob does not exist. */
  modifiedAt(blob: string): Promise<Date | undefined>;
  /** Removes the blob; a missing one is not an error. */
  delete(blob: string): Promise<void>;
  /** Every blob the backend holds, with its last modification (dedup refreshes it on fs). */
  list(): AsyncIterable<BlobInfo>;
  /** Removes half-written leftovers (temp files, unfinished S3 multipart uploads) older than `before`. */
  sweepTemporary(before: Date): Promise<number>;
  close(): Promise<void>;
}

export const BLOB_BACKEND = Symbol('cave.storage.BlobBackend');
