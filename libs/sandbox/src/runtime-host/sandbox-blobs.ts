import { Readable } from 'node:stream';
import { Inject, Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { BLOB_STORE, BlobStore } from '@cave/storage';
import { SandboxRuntimeRepository } from './sandbox-runtime.repository';

/** The namespace's storage bucket that holds its sandboxes' modules and snapshots (`<kind>/<sha256>`). */
export const SANDBOX_BUCKET = 'cave-sandboxes';

export type BlobKind = 'module' | 'snapshot';

const keyOf = (kind: BlobKind, sha256: string) => `${kind}/${sha256}`;

/**
 * WASI modules and snapshot images, content-addressed, kept through the storage context's `BlobStore` port: on the
 * configured backend (fs, or S3 so several daemons on one PostgreSQL share them), with storage's events, quotas
 * and sweeper. Images stored in `sandbox_blobs` before this existed are still read from there.
 */
@Injectable()
export class SandboxBlobs {
  constructor(
    @Inject(BLOB_STORE) private readonly store: BlobStore,
    private readonly repo: SandboxRuntimeRepository,
  ) {}

  /** Stores the bytes once per namespace and hash; putting the same bytes again appends nothing. */
  async put(namespace: string, kind: BlobKind, sha256: string, bytes: Uint8Array, actor: string): Promise<void> {
    const existing = await this.store.head(namespace, SANDBOX_BUCKET, keyOf(kind, sha256));
    if (existing?.sha256 === sha256) return;
    await this.store.ensureBucket(namespace, SANDBOX_BUCKET, actor);
    const body = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const stored = await this.store.put(namespace, SANDBOX_BUCKET, keyOf(kind, sha256), Readable.from([body]), {
      actor,
      size: body.byteLength,
      contentType: kind === 'module' ? 'application/wasm' : 'application/octet-stream',
    });
    // Content-addressed: a different hash means the bytes were not what the caller hashed.
    if (stored.sha256 !== sha256) throw new Error(`sandbox ${kind} stored with sha256 ${stored.sha256}, expected ${sha256}`);
  }

  /**
   * The bytes (workers need them whole), or undefined when the namespace has no such blob. `legacy` is a tenant
   * client for the `sandbox_blobs` fallback.
   */
  async get(namespace: string, kind: BlobKind, sha256: string, legacy: PoolClient): Promise<Buffer | undefined> {
    const found = await this.store.get(namespace, SANDBOX_BUCKET, keyOf(kind, sha256));
    if (!found) return this.repo.blob(legacy, sha256);
    const chunks: Buffer[] = [];
    for await (const c of found.body) chunks.push(c as Buffer);
    const bytes = Buffer.concat(chunks);
    return found.blob.sha256 === sha256 ? bytes : undefined;
  }
}
