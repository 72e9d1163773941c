import { createHash } from 'node:crypto';
import { Transform, TransformCallback } from 'node:stream';
import { ContentLengthMismatchError } from '../domain/storage.errors';

/** Passes bytes through while hashing and counting them; more bytes than `expectedSize` fail the stream at once. */
export class HashingCounter extends Transform {
  private readonly hash = createHash('sha256');
  /** Bytes passed so far. Not `size`: lib-storage reads `Body.size` as the whole body's length and would expect 0 parts. */
  received = 0;

  constructor(private readonly expectedSize?: number) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.received += chunk.length;
    if (this.expectedSize !== undefined && this.received > this.expectedSize) {
      done(new ContentLengthMismatchError(this.expectedSize, this.received));
      return;
    }
    this.hash.update(chunk);
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    if (this.expectedSize !== undefined && this.received !== this.expectedSize) done(new ContentLengthMismatchError(this.expectedSize, this.received));
    else done();
  }

  digest(): string {
    return this.hash.digest('hex');
  }
}
