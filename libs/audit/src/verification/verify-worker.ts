import { closeSync, openSync, readSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { HmacKeyRing } from '../domain/hmac-key-ring';
import { LineFacts } from '../domain/line-facts';

/** Input of one verifier worker: a byte range of the log that starts and ends on line boundaries. */
export interface ChunkJob {
  file: string;
  start: number;
  end: number;
  currentKey?: string;
  previousKeys: string[];
}

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
  return analyzeText(buf.toString('utf8'), new HmacKeyRing(job.currentKey, job.previousKeys));
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

if (parentPort && workerData?.auditVerifyWorker) {
  const port = parentPort;
  port.on('message', (job: ChunkJob) => {
    try {
      const f = analyzeChunk(job);
      // Copy into standalone ArrayBuffers so they can be transferred, not cloned.
      const own = (b: Uint8Array) => new Uint8Array(b).buffer;
      const parts = { length: f.length, seq: f.seq.buffer, flags: own(f.flags), prev: own(f.prev), hash: own(f.hash), leaf: own(f.leaf) };
      port.postMessage({ ok: true, parts }, [parts.seq as ArrayBuffer, parts.flags, parts.prev, parts.hash, parts.leaf]);
    } catch (e) {
      port.postMessage({ ok: false, error: e instanceof Error ? e.message : String(e) });
    }
  });
}
