import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import Fastify from 'fastify';
import { serveAsBenchChild } from '../support/server-process';

/**
 * The storage benchmark's hand-written peer: a bare Fastify upload handler, what a developer would write without
 * CAVE. `PUT /upload/:name` streams the body through sha256 into a temp file, fsyncs it and renames it into place
 * (the same durability the fs backend gives); `GET /download/:name` streams the file back. No key check, no
 * database, no events, no quota: strictly less than CAVE does. Files live under CAVE_BENCH_DIR.
 */
serveAsBenchChild(async () => {
  const dir = process.env.CAVE_BENCH_DIR!;
  await mkdir(join(dir, 'tmp'), { recursive: true });
  const app = Fastify({ logger: false, bodyLimit: 1024 ** 4 });
  // Hand the raw request stream to the route instead of buffering it.
  app.addContentTypeParser('*', (_req, payload, done) => done(null, payload));

  app.put<{ Params: { name: string } }>('/upload/:name', async (req, reply) => {
    const temp = join(dir, 'tmp', randomUUID());
    const hash = createHash('sha256');
    let size = 0;
    const tap = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        size += chunk.length;
        hash.update(chunk);
        cb(null, chunk);
      },
    });
    await pipeline(req.body as NodeJS.ReadableStream, tap, createWriteStream(temp, { highWaterMark: 1024 * 1024 }));
    const file = await open(temp, 'r+');
    try {
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temp, join(dir, req.params.name.replace(/[^a-z0-9-]/gi, '_')));
    return reply.send({ size, sha256: hash.digest('hex') });
  });

  app.get<{ Params: { name: string } }>('/download/:name', (req, reply) =>
    reply.header('content-type', 'application/octet-stream').send(createReadStream(join(dir, req.params.name.replace(/[^a-z0-9-]/gi, '_')), { highWaterMark: 1024 * 1024 })),
  );

  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  return { port: typeof address === 'object' && address ? address.port : 0, close: () => app.close() };
});
