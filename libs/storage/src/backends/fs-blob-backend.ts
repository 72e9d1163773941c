import { randomUUID } from 'node:crypto';
import { mkdir, open, opendir, readdir, rename, stat, unlink, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import type { FileHandle } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { BlobBackend, BlobInfo, WrittenBlob } from './blob-backend';
import { HashingCounter } from './hashing-counter';

const SHA256 = /^[0-9a-f]{64}$/;

/**
 * Blobs on the local disk, content-addressed: `<root>/blobs/ab/cd/<sha256>`. A write goes to `<root>/tmp/<uuid>`,
 * is fsynced, renamed into place and the directory fsynced, so a crash leaves either the whole blob or a temp
 * file for the sweeper, never a torn blob under its hash. Identical content is stored once.
 */
export class FsBlobBackend implements BlobBackend {
  readonly name = 'fs';
  private readonly blobs: string;
  private readonly tmp: string;

  constructor(root: string) {
    this.blobs = join(root, 'blobs');
    this.tmp = join(root, 'tmp');
  }

  async init(): Promise<void> {
    await mkdir(this.blobs, { recursive: true, mode: 0o700 });
    await mkdir(this.tmp, { recursive: true, mode: 0o700 });
  }

  async write(source: Readable, opts: { expectedSize?: number } = {}): Promise<WrittenBlob> {
    const temp = join(this.tmp, randomUUID());
    const file = await open(temp, 'wx', 0o600);
    const counter = new HashingCounter(opts.expectedSize);
    try {
      await pipeline(source, counter, fileSink(file));
      await file.sync();
    } catch (e) {
      await file.close().catch(() => undefined);
      await unlink(temp).catch(() => undefined);
      throw e;
    }
    await file.close();
    const sha256 = counter.digest();
    const dir = join(this.blobs, sha256.slice(0, 2), sha256.slice(2, 4));
    const target = join(dir, sha256);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    if (await this.exists(sha256)) {
      // Same bytes already stored: keep one copy, and refresh its time so the sweeper's grace covers this commit.
      await unlink(temp);
      const now = new Date();
      await utimes(target, now, now);
    } else {
      await rename(temp, target);
      await syncDir(dir);
    }
    return { blob: sha256, size: counter.received, sha256 };
  }

  async read(blob: string, range?: { start: number; end: number }): Promise<Readable> {
    const path = this.path(blob);
    // Open first so a missing blob is a rejected promise, not an error event after headers went out.
    const handle = await open(path, 'r');
    return handle.createReadStream({ start: range?.start, end: range?.end, highWaterMark: 1024 * 1024 });
  }

  async exists(blob: string): Promise<boolean> {
    return stat(this.path(blob)).then(
      () => true,
      () => false,
    );
  }

  async modifiedAt(blob: string): Promise<Date | undefined> {
    return stat(this.path(blob)).then(
      (s) => s.mtime,
      () => undefined,
    );
  }

  async delete(blob: string): Promise<void> {
    await unlink(this.path(blob)).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'ENOENT') throw e;
    });
  }

  async *list(): AsyncIterable<BlobInfo> {
    for (const a of await readdirOrEmpty(this.blobs)) {
      for (const b of await readdirOrEmpty(join(this.blobs, a))) {
        const dir = await opendir(join(this.blobs, a, b));
        for await (const entry of dir) {
          if (!entry.isFile() || !SHA256.test(entry.name)) continue;
          const s = await stat(join(this.blobs, a, b, entry.name)).catch(() => undefined);
          if (s) yield { blob: entry.name, modifiedAt: s.mtime };
        }
      }
    }
  }

  async sweepTemporary(before: Date): Promise<number> {
    let removed = 0;
    for (const name of await readdirOrEmpty(this.tmp)) {
      const path = join(this.tmp, name);
      const s = await stat(path).catch(() => undefined);
      if (s && s.mtime < before) {
        await unlink(path).catch(() => undefined);
        removed++;
      }
    }
    return removed;
  }

  async close(): Promise<void> {}

  private path(blob: string): string {
    // Blob ids come from our own events, but a path is built from them: only a hash may become one.
    if (!SHA256.test(blob)) throw new Error(`not an fs blob id: ${JSON.stringify(blob)}`);
    return join(this.blobs, blob.slice(0, 2), blob.slice(2, 4), blob);
  }
}

async function readdirOrEmpty(dir: string): Promise<string[]> {
  return readdir(dir).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return [];
    throw e;
  });
}

async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Writes to an open handle and leaves it open, so the caller can fsync before closing. */
function fileSink(file: FileHandle): Writable {
  return new Writable({
    highWaterMark: 1024 * 1024,
    write(chunk: Buffer, _enc, done) {
      file.write(chunk).then(() => done(), done);
    },
    writev(chunks, done) {
      file.writev(chunks.map((c) => c.chunk as Buffer)).then(() => done(), done);
    },
  });
}
