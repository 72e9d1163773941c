import { createHash, Hash } from 'node:crypto';
import { Transform, TransformCallback } from 'node:stream';
import type { ModelManifest } from '../contracts/model-package';
import { ArtifactHashMismatchError, ArtifactTooLongError, ArtifactTruncatedError, ChunkHashMismatchError } from '../domain/models.errors';

type Hashes = Pick<ModelManifest, 'sha256' | 'sizeBytes' | 'chunkSize' | 'chunks'>;

/**
 * Incremental check of artifact bytes against a manifest: `update` throws `ChunkHashMismatchError` as soon as a
 * chunk completes with the wrong hash and `ArtifactTooLongError` for a byte past `sizeBytes`; `finish` throws
 * `ArtifactTruncatedError` or `ArtifactHashMismatchError`. `startChunk` checks a suffix from that chunk on (the
 * whole hash is then not checked).
 */
export class ChunkCheck {
  private position: number;
  private chunk: number;
  private chunkHash: Hash = createHash('sha256');
  private chunkFill = 0;
  private readonly whole: Hash | undefined;

  constructor(
    private readonly manifest: Hashes,
    startChunk = 0,
  ) {
    this.chunk = startChunk;
    this.position = startChunk * manifest.chunkSize;
    this.whole = startChunk === 0 ? createHash('sha256') : undefined;
  }

  /** Artifact offset reached. */
  get bytes(): number {
    return this.position;
  }

  update(data: Buffer): void {
    const { sizeBytes, chunkSize } = this.manifest;
    if (this.position + data.length > sizeBytes) throw new ArtifactTooLongError(sizeBytes);
    this.whole?.update(data);
    let offset = 0;
    while (offset < data.length) {
      const want = Math.min(chunkSize, sizeBytes - this.chunk * chunkSize) - this.chunkFill;
      const take = Math.min(want, data.length - offset);
      this.chunkHash.update(data.subarray(offset, offset + take));
      this.chunkFill += take;
      offset += take;
      if (take === want) {
        if (this.chunkHash.digest('hex') !== this.manifest.chunks[this.chunk]) throw new ChunkHashMismatchError(this.chunk);
        this.chunk++;
        this.chunkFill = 0;
        this.chunkHash = createHash('sha256');
      }
    }
    this.position += data.length;
  }

  finish(): void {
    if (this.position < this.manifest.sizeBytes) throw new ArtifactTruncatedError(this.position, this.manifest.sizeBytes);
    if (this.whole && this.whole.digest('hex') !== this.manifest.sha256) throw new ArtifactHashMismatchError();
  }
}

/** `ChunkCheck` as a pass-through stream: a sink behind it sees its end only when every byte matched. */
export class ChunkVerifier extends Transform {
  private readonly check: ChunkCheck;

  constructor(manifest: Hashes, startChunk = 0) {
    super();
    this.check = new ChunkCheck(manifest, startChunk);
  }

  get bytes(): number {
    return this.check.bytes;
  }

  override _transform(data: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    try {
      this.check.update(data);
    } catch (e) {
      return cb(e as Error);
    }
    cb(null, data);
  }

  override _flush(cb: TransformCallback): void {
    try {
      this.check.finish();
    } catch (e) {
      return cb(e as Error);
    }
    cb();
  }
}
