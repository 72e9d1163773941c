import { Readable } from 'node:stream';
import { Inject, Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { BLOB_STORE, BlobStore } from '@cave/storage';
import { SandboxRuntimeRepository } from './sandbox-runtime.repository';

/**
 * Where sandbox modules and snapshot images live (docs/adr/0022): the daemon's own `system` namespace, bucket
 * `cave-sandboxes`, key `<tenant namespace>/<kind>/<sha256>`. Not in the tenant's storage: they are the runtime's
 * internal state, which a tenant reaches only through the sandbox routes (tenant-guarded by the sandbox's rows), so
 * no storage key can list, overwrite or delete them and they count in no tenant's storage quota.
 */
export const SANDBOX_BLOB_NAMESPACE = 'system';
export const SANDBOX_BUCKET = 'cave-sandboxes';
const ACTOR = 'sandbox-runtime';

export type BlobKind = 'module' | 'snapshot';

/** Content-addressed per tenant: the same bytes of two namespaces are two blobs (no cross-tenant "have you got this" probe). */
export const sandboxBlobKey = (namespace: string, kind: BlobKind, sha256: string) => `${namespace}/${kind}/${sha256}`;

/**
 * WASI modules and snapshot images, content-addressed, kept through the storage context's `BlobStore` port: on the
 * configured backend (fs, or S3 so several daemons on one PostgreSQL share them), with storage's events and sweeper.
 * Images stored in `sandbox_blobs` before this existed are still read from there (the tenant's own rows, RLS).
 */
@Injectable()
export class SandboxBlobs {
  constructor(
    @Inject(BLOB_STORE) private readonly store: BlobStore,
    private readonly repo: SandboxRuntimeRepository,
  ) {}

  /** Stores the bytes once per namespace and hash; putting the same bytes again appends nothing. */
  async put(namespace: string, kind: BlobKind, sha256: string, bytes: Uint8Array, actor: string): Promise<void> {
    const key = sandboxBlobKey(namespace, kind, sha256);
    const existing = await this.store.head(SANDBOX_BLOB_NAMESPACE, SANDBOX_BUCKET, key);
    if (existing?.sha256 === sha256) return;
    await this.store.ensureBucket(SANDBOX_BLOB_NAMESPACE, SANDBOX_BUCKET, ACTOR);
    const body = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const stored = await this.store.put(SANDBOX_BLOB_NAMESPACE, SANDBOX_BUCKET, key, Readable.from([body]), {
      actor,
      size: body.byteLength,
      contentType: kind === 'module' ? 'application/wasm' : 'application/octet-stream',
    });
    // Content-addressed: a different hash means the bytes were not what the caller hashed.
    if (stored.sha256 !== sha256) throw new Error(`sandbox ${kind} stored with sha256 ${stored.sha256}, expected ${sha256}`);
  }

  /**
   * The bytes (workers need them whole), or undefined when the namespace has no such blob. `legacy` is a tenant
   * client for the `sandbox_blobs` fallback (its RLS scopes that read to the tenant).
   */
  async get(namespace: string, kind: BlobKind, sha256: string, legacy: PoolClient): Promise<Buffer | undefined> {
    const found = await this.store.get(SANDBOX_BLOB_NAMESPACE, SANDBOX_BUCKET, sandboxBlobKey(namespace, kind, sha256));
    if (!found) return this.repo.blob(legacy, sha256);
    const chunks: Buffer[] = [];
    for await (const c of found.body) chunks.push(c as Buffer);
    const bytes = Buffer.concat(chunks);
    return found.blob.sha256 === sha256 ? bytes : undefined;
  }
}
