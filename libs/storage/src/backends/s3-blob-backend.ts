import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { BlobBackend, BlobInfo, WrittenBlob } from './blob-backend';
import { HashingCounter } from './hashing-counter';

export interface S3BackendOptions {
  endpoint?: string;
  region: string;
  bucket: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  forcePathStyle: boolean;
  prefix: string;
}

const BLOB_ID = /^[0-9a-f-]{36}$/;
const PART_SIZE = 8 * 1024 * 1024;

/**
 * Blobs in one bucket of any S3-compatible server, under `<prefix>blobs/<uuid>`. The sha256 is only known once
 * the body has passed, so blobs are named by a fresh id instead of their hash (no copy after the upload); the
 * event records both. lib-storage streams the body in 8 MiB parts (at most two in memory) and aborts the
 * multipart upload when the source fails.
 */
export class S3BlobBackend implements BlobBackend {
  readonly name = 's3';
  private readonly client: S3Client;

  constructor(private readonly opts: S3BackendOptions) {
    this.client = new S3Client({
      endpoint: opts.endpoint,
      region: opts.region,
      forcePathStyle: opts.forcePathStyle,
      credentials: opts.accessKeyId && opts.secretAccessKey ? { accessKeyId: opts.accessKeyId, secretAccessKey: opts.secretAccessKey } : undefined,
    });
  }

  async write(source: Readable, opts: { expectedSize?: number } = {}): Promise<WrittenBlob> {
    const blob = randomUUID();
    const counter = new HashingCounter(opts.expectedSize);
    const body = source.pipe(counter);
    // pipe() does not forward errors: a client that disconnects must fail the upload, not stall it.
    source.once('error', (e) => counter.destroy(e));
    source.once('aborted', () => counter.destroy(new Error('request aborted')));
    const upload = new Upload({ client: this.client, params: { Bucket: this.opts.bucket, Key: this.key(blob), Body: body }, partSize: PART_SIZE, queueSize: 2 });
    try {
      await upload.done();
    } catch (e) {
      await this.delete(blob).catch(() => undefined);
      throw counter.errored ?? e;
    }
    if (counter.errored) {
      await this.delete(blob).catch(() => undefined);
      throw counter.errored;
    }
    // radosgw answers a completed Upload with an empty ETag, so the result says nothing: ask the server what it
    // holds, and refuse a blob that is not exactly the bytes that passed through the hash.
    const head = await this.client.send(new HeadObjectCommand({ Bucket: this.opts.bucket, Key: this.key(blob) }));
    if (head.ContentLength !== counter.received) {
      await this.delete(blob).catch(() => undefined);
      throw new Error(`S3 stored ${head.ContentLength} bytes of blob ${blob}, ${counter.received} were sent`);
    }
    return { blob, size: counter.received, sha256: counter.digest() };
  }

  async read(blob: string, range?: { start: number; end: number }): Promise<Readable> {
    const out = await this.client.send(
      new GetObjectCommand({ Bucket: this.opts.bucket, Key: this.key(blob), Range: range ? `bytes=${range.start}-${range.end}` : undefined }),
    );
    return out.Body as Readable;
  }

  async exists(blob: string): Promise<boolean> {
    return (await this.modifiedAt(blob)) !== undefined;
  }

  async modifiedAt(blob: string): Promise<Date | undefined> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.opts.bucket, Key: this.key(blob) }));
      return head.LastModified ?? new Date(0);
    } catch (e) {
      if ((e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return undefined;
      throw e;
    }
  }

  async delete(blob: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.opts.bucket, Key: this.key(blob) }));
  }

  async *list(): AsyncIterable<BlobInfo> {
    const prefix = `${this.opts.prefix}blobs/`;
    let token: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.opts.bucket, Prefix: prefix, ContinuationToken: token, MaxKeys: 1000 }));
      for (const o of page.Contents ?? []) {
        const blob = (o.Key ?? '').slice(prefix.length);
        if (BLOB_ID.test(blob)) yield { blob, modifiedAt: o.LastModified ?? new Date(0) };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async sweepTemporary(before: Date): Promise<number> {
    let removed = 0;
    let keyMarker: string | undefined;
    let uploadIdMarker: string | undefined;
    do {
      const page = await this.client.send(
        new ListMultipartUploadsCommand({ Bucket: this.opts.bucket, Prefix: `${this.opts.prefix}blobs/`, KeyMarker: keyMarker, UploadIdMarker: uploadIdMarker }),
      );
      for (const u of page.Uploads ?? []) {
        if (u.Initiated && u.Initiated < before) {
          await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.opts.bucket, Key: u.Key, UploadId: u.UploadId }));
          removed++;
        }
      }
      keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
      uploadIdMarker = page.IsTruncated ? page.NextUploadIdMarker : undefined;
    } while (keyMarker);
    return removed;
  }

  async close(): Promise<void> {
    this.client.destroy();
  }

  private key(blob: string): string {
    if (!BLOB_ID.test(blob)) throw new Error(`not an s3 blob id: ${JSON.stringify(blob)}`);
    return `${this.opts.prefix}blobs/${blob}`;
  }
}
