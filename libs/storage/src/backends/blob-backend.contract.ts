import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { BlobBackend } from './blob-backend';
import { ContentLengthMismatchError } from '../domain/storage.errors';

/** What a backend's test harness provides besides the backend itself. */
export interface BackendHarness {
  backend: BlobBackend;
  /** Leaves a half-written leftover the way a crash would (fs: a temp file; s3: an unfinished multipart upload). */
  leaveTemporary(): Promise<void>;
  /** How many such leftovers exist now. */
  countTemporary(): Promise<number>;
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function drain(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** `count` chunks of `size` bytes, then (optionally) a failure, the way a client that drops mid-upload looks. */
function chunks(count: number, size: number, failWith?: Error): Readable {
  return Readable.from(
    (async function* () {
      for (let i = 0; i < count; i++) yield randomBytes(size);
      if (failWith) throw failWith;
    })(),
  );
}

async function listed(backend: BlobBackend): Promise<Set<string>> {
  const out = new Set<string>();
  for await (const b of backend.list()) out.add(b.blob);
  return out;
}

/**
 * The `BlobBackend` contract: the same cases against every backend (`blob-backend.int-spec.ts` runs them on fs
 * and on a real S3 server), so the storage context behaves alike whichever one the config picks.
 */
export function blobBackendContract(harness: () => BackendHarness): void {
  const backend = () => harness().backend;

  it('write streams, hashes and counts; read returns the same bytes; exists, modifiedAt and list see the blob', async () => {
    const body = randomBytes(100_000);
    const before = Date.now() - 5_000;
    const w = await backend().write(Readable.from([body.subarray(0, 30_000), body.subarray(30_000)]), { expectedSize: body.length });
    expect({ size: w.size, sha256: w.sha256 }).toEqual({ size: body.length, sha256: sha(body) });
    expect(sha(await drain(await backend().read(w.blob)))).toBe(sha(body));
    expect(await backend().exists(w.blob)).toBe(true);
    const modified = await backend().modifiedAt(w.blob);
    expect(modified!.getTime()).toBeGreaterThan(before);
    expect((await listed(backend())).has(w.blob)).toBe(true);
  });

  it('an empty body is a blob of size 0', async () => {
    const w = await backend().write(Readable.from([]), { expectedSize: 0 });
    expect([w.size, w.sha256]).toEqual([0, sha(Buffer.alloc(0))]);
    expect((await drain(await backend().read(w.blob))).length).toBe(0);
  });

  it('reads an inclusive byte range', async () => {
    const body = Buffer.from('0123456789abcdefghij');
    const w = await backend().write(Readable.from([body]));
    expect((await drain(await backend().read(w.blob, { start: 3, end: 7 }))).toString()).toBe('34567');
    expect((await drain(await backend().read(w.blob, { start: 19, end: 19 }))).toString()).toBe('j');
  });

  it('a body larger than several S3 parts round-trips, and a range across a part boundary is exact', async () => {
    const part = 8 * 1024 * 1024;
    const body = randomBytes(2 * part + 12_345);
    const w = await backend().write(Readable.from([body.subarray(0, part + 7), body.subarray(part + 7)]), { expectedSize: body.length });
    expect(w.sha256).toBe(sha(body));
    expect(sha(await drain(await backend().read(w.blob)))).toBe(sha(body));
    const range = await drain(await backend().read(w.blob, { start: part - 10, end: part + 9 }));
    expect(range.equals(body.subarray(part - 10, part + 10))).toBe(true);
  });

  it('a body shorter or longer than expectedSize fails with ContentLengthMismatchError and leaves no blob', async () => {
    const before = await listed(backend());
    await expect(backend().write(chunks(2, 1000), { expectedSize: 2001 })).rejects.toBeInstanceOf(ContentLengthMismatchError);
    await expect(backend().write(chunks(3, 1000), { expectedSize: 2500 })).rejects.toBeInstanceOf(ContentLengthMismatchError);
    // Past one S3 part, so the failure hits an upload already in flight.
    await expect(backend().write(chunks(10, 1024 * 1024), { expectedSize: 9 * 1024 * 1024 })).rejects.toBeInstanceOf(ContentLengthMismatchError);
    expect([...(await listed(backend()))].filter((b) => !before.has(b))).toEqual([]);
    expect(await harness().countTemporary()).toBe(0);
  });

  it('a source that fails mid-stream rejects the write with its error and leaves no blob', async () => {
    const before = await listed(backend());
    const dropped = new Error('client went away');
    await expect(backend().write(chunks(12, 1024 * 1024, dropped))).rejects.toBe(dropped);
    await expect(backend().write(chunks(1, 100, dropped), { expectedSize: 5000 })).rejects.toBe(dropped);
    expect([...(await listed(backend()))].filter((b) => !before.has(b))).toEqual([]);
    expect(await harness().countTemporary()).toBe(0);
  });

  it('delete removes the blob and is idempotent; a missing blob does not exist, has no time and cannot be read', async () => {
    const w = await backend().write(Readable.from([Buffer.from('short-lived')]));
    await backend().delete(w.blob);
    await backend().delete(w.blob);
    expect(await backend().exists(w.blob)).toBe(false);
    expect(await backend().modifiedAt(w.blob)).toBeUndefined();
    await expect(backend().read(w.blob).then(drain)).rejects.toBeDefined();
    expect((await listed(backend())).has(w.blob)).toBe(false);
  });

  it('ids that are not the backend\'s own are refused, never turned into a path or key', async () => {
    for (const bad of ['../etc/passwd', 'blobs/../x', '', 'a'.repeat(64) + '/..']) {
      await expect(backend().read(bad)).rejects.toThrow();
    }
  });

  it('sweepTemporary removes leftovers older than the cut-off and keeps younger ones', async () => {
    await harness().leaveTemporary();
    expect(await harness().countTemporary()).toBe(1);
    expect(await backend().sweepTemporary(new Date(Date.now() - 3_600_000))).toBe(0);
    expect(await harness().countTemporary()).toBe(1);
    expect(await backend().sweepTemporary(new Date(Date.now() + 60_000))).toBe(1);
    expect(await harness().countTemporary()).toBe(0);
  });
}
