import type { Readable } from 'node:stream';
import { Inject } from '@nestjs/common';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { BLOB_BACKEND, BlobBackend } from '../../backends/blob-backend';
import { StorageMetrics } from '../../storage.metrics';
import { OpenObjectQuery } from './open-object.query';

@QueryHandler(OpenObjectQuery)
export class OpenObjectHandler implements IQueryHandler<OpenObjectQuery, Readable> {
  constructor(
    @Inject(BLOB_BACKEND) private readonly backend: BlobBackend,
    private readonly metrics: StorageMetrics,
  ) {}

  async execute({ object, range }: OpenObjectQuery): Promise<Readable> {
    const stream = await this.backend.read(object.blob, range);
    const labels = { backend: this.backend.name };
    stream.on('data', (chunk: Buffer) => this.metrics.bytesRead.inc(labels, chunk.length));
    // A 'data' listener switches the stream to flowing: bytes would pour out (and be lost) during any await
    // between this return and the caller's pipe. Paused, it flows only once the caller consumes it.
    stream.pause();
    return stream;
  }
}
