import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { CAVE_CONFIG, CaveConfig } from '@cave/config';
import { DomainError } from '@cave/kernel';
import { BLOB_STORE, BlobStore } from '@cave/storage';
import { ArtifactMissingError } from '../domain/models.errors';
import { ChunkVerifier } from '../package/chunk-verifier';
import type { ModelRecord } from '../read-models/models.read-model';

const devNull = () => new Writable({ write: (_c, _e, cb) => cb() });

/**
 * Verified local copies of artifacts under `<CAVE_DATA_DIR>/models/<sha256>.gguf`, materialised from storage
 * (through the chunk check) on first use and re-hashed once per process before they are handed out; after that
 * the path is cached. One materialisation per artifact at a time. A copy that fails its check is deleted and
 * fetched again; storage bytes that fail it throw the check's DomainError (the caller records the failure).
 */
@Injectable()
export class ModelFiles {
  private readonly logger = new Logger('Models');
  private readonly dir: string;
  private readonly verified = new Map<string, string>();
  private readonly inflight = new Map<string, Promise<string>>();

  constructor(
    @Inject(CAVE_CONFIG) config: CaveConfig,
    @Inject(BLOB_STORE) private readonly blobs: BlobStore,
  ) {
    this.dir = join(config.dataDir, 'models');
  }

  pathOf(modelId: string): string {
    return join(this.dir, `${modelId}.gguf`);
  }

  /** The verified local path (cached after the first check in this process). */
  async ensure(record: ModelRecord): Promise<string> {
    const done = this.verified.get(record.modelId);
    if (done) return done;
    let pending = this.inflight.get(record.modelId);
    if (!pending) {
      pending = this.materialise(record).finally(() => this.inflight.delete(record.modelId));
      this.inflight.set(record.modelId, pending);
    }
    return pending;
  }

  /** Drops the cached verdict and the local copy (after a failed verification or a deletion). */
  async forget(modelId: string): Promise<void> {
    this.verified.delete(modelId);
    await rm(this.pathOf(modelId), { force: true });
  }

  private async materialise(record: ModelRecord): Promise<string> {
    const path = this.pathOf(record.modelId);
    const manifest = record.signed.manifest;
    if (await stat(path).then((s) => s.isFile(), () => false)) {
      try {
        await pipeline(createReadStream(path, { highWaterMark: 1024 * 1024 }), new ChunkVerifier(manifest), devNull());
        this.verified.set(record.modelId, path);
        return path;
      } catch (e) {
        if (!(e instanceof DomainError)) throw e;
        this.logger.warn(`local copy of model ${record.modelId} failed its check (${e.code}); fetching it again from storage`);
        await rm(path, { force: true });
      }
    }
    await mkdir(this.dir, { recursive: true });
    const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
    // Nothing may be awaited between get and pipeline: the storage context hands out a stream that already flows.
    const object = await this.blobs.get(record.storage.namespace, record.storage.bucket, record.storage.key);
    if (!object) throw new ArtifactMissingError(record.modelId);
    try {
      await pipeline(object.body, new ChunkVerifier(manifest), createWriteStream(tmp, { flush: true } as Parameters<typeof createWriteStream>[1]));
      await rename(tmp, path);
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
    this.verified.set(record.modelId, path);
    this.logger.log(`model ${manifest.name} ${manifest.version} (${record.modelId}) materialised at ${path}`);
    return path;
  }
}
