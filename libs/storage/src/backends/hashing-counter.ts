import { createHash } from 'node:crypto';
import { Transform, TransformCallback } from 'node:stream';
import { ContentLengthMismatchError } from '../domain/storage.errors';

/** Passes bytes through while hashing and counting them; more bytes than `expectedSize` fail the stream at once. */
export class HashingCounter extends Transform {
  private readonly hash = createHash('sha256');
  size = 0;

  constructor(private readonly expectedSize?: number) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.size += chunk.length;
    if (this.expectedSize !== undefined && this.size > this.expectedSize) {
      done(new ContentLengthMismatchError(this.expectedSize, this.size));
      return;
    }
    this.hash.update(chunk);
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    if (this.expectedSize !== undefined && this.size !== this.expectedSize) done(new ContentLengthMismatchError(this.expectedSize, this.size));
    else done();
  }

  digest(): string {
    return this.hash.digest('hex');
  }
}
