import { closeSync, openSync, readSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { HmacKeyRing } from '../domain/hmac-key-ring';
import { LineFacts } from '../domain/line-facts';
import { rootOfLeafBuffer } from '../domain/log-verification';

/** A byte range of the log that starts and ends on line boundaries. */
export interface ChunkJob {
  kind: 'chunk';
  file: string;
  start: number;
  end: number;
  keys: string[];
}

/** Leaf hashes of one perfect, aligned subtree whose root is wanted. */
export interface SubtreeJob {
  kind: 'subtree';
  leaves: Uint8Array;
}

export type VerifyJob = ChunkJob | SubtreeJob;

/** Hashes one chunk: everything per line that does not depend on other lines. */
export function analyzeChunk(job: ChunkJob): LineFacts {
  const fd = openSync(job.file, 'r');
  const buf = Buffer.allocUnsafe(job.end - job.start);
  try {
    let read = 0;
    while (read < buf.length) {
      const n = readSync(fd, buf, read, buf.length - read, job.start + read);
      if (n === 0) break;
      read += n;
    }
  } finally {
    closeSync(fd);
  }
  return analyzeText(buf.toString('utf8'), new HmacKeyRing(undefined, job.keys));
}

/** `text` holds whole lines, each ending with a newline. */
export function analyzeText(text: string, ring: HmacKeyRing | undefined): LineFacts {
  let count = 0;
  for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) count++;
  const facts = new LineFacts(count);
  let from = 0;
  for (let i = 0; i < count; i++) {
    const nl = text.indexOf('\n', from);
    facts.record(i, text.slice(from, nl), ring);
    from = nl + 1;
  }
  return facts;
}

export function subtreeRoot(job: SubtreeJob): Buffer {
  return rootOfLeafBuffer(Buffer.from(job.leaves.buffer, job.leaves.byteOffset, job.leaves.byteLength));
}

/** Plain transferable form of a chunk's facts. */
export function packFacts(f: LineFacts): { length: number; seq: ArrayBuffer; flags: ArrayBuffer; prev: ArrayBuffer; hash: ArrayBuffer; leaf: ArrayBuffer } {
  const own = (b: Uint8Array) => new Uint8Array(b).buffer;
  return { length: f.length, seq: own(new Uint8Array(f.seq.buffer)), flags: own(f.flags), prev: own(f.prev), hash: own(f.hash), leaf: own(f.leaf) };
}

export function unpackFacts(p: ReturnType<typeof packFacts>): LineFacts {
  return new LineFacts(p.length, {
    seq: new Float64Array(p.seq),
    flags: new Uint8Array(p.flags),
    prev: Buffer.from(p.prev),
    hash: Buffer.from(p.hash),
    leaf: Buffer.from(p.leaf),
  });
}

if (parentPort && workerData?.auditVerifyWorker) {
  const port = parentPort;
  port.on('message', ({ id, job }: { id: number; job: VerifyJob }) => {
    try {
      if (job.kind === 'chunk') {
        const parts = packFacts(analyzeChunk(job));
        port.postMessage({ id, ok: true, parts }, [parts.seq, parts.flags, parts.prev, parts.hash, parts.leaf]);
      } else {
        port.postMessage({ id, ok: true, root: new Uint8Array(subtreeRoot(job)) });
      }
    } catch (e) {
      port.postMessage({ id, ok: false, error: e instanceof Error ? e.message : String(e) });
    }
  });
}
