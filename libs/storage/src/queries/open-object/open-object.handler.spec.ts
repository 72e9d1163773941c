import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BlobBackend } from '../../backends/blob-backend';
import type { StorageMetrics } from '../../storage.metrics';
import { OpenObjectHandler } from './open-object.handler';
import { OpenObjectQuery } from './open-object.query';

describe('OpenObjectHandler', () => {
  it('hands out a stream that loses no byte when the caller awaits before consuming it', async () => {
    const chunks = Array.from({ length: 50 }, (_, i) => Buffer.alloc(1024, i));
    const backend = { name: 'fs', read: async () => Readable.from(chunks) } as unknown as BlobBackend;
    let counted = 0;
    const metrics = { bytesRead: { inc: (_: unknown, n: number) => (counted += n) } } as unknown as StorageMetrics;
    const handler = new OpenObjectHandler(backend, metrics);

    const stream = await handler.execute({ object: { blob: 'b' }, range: undefined } as unknown as OpenObjectQuery);
    await sleep(20); // e.g. a precondition check or a header write between opening and piping
    const received: Buffer[] = [];
    for await (const chunk of stream) received.push(chunk as Buffer);

    expect(Buffer.concat(received).length).toBe(50 * 1024);
    expect(counted).toBe(50 * 1024);
  });
});
