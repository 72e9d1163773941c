import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { Checkpoint, parseCheckpoint } from '../domain/checkpoint';
import { HmacKeyRing } from '../domain/hmac-key-ring';
import { LineFacts } from '../domain/line-facts';
import { checkAgainstCheckpoint, VerificationProblem, verifyChain } from '../domain/log-verification';
import { NoteError, openNote, parseVerifierKey } from '../domain/signed-note';
import { analyzeChunk, ChunkJob } from './verify-worker';

export interface OfflineVerifyOptions {
  /** Signed checkpoint note and the verifier key to check it with. */
  checkpoint?: string;
  publicKey?: string;
  hmacKey?: string;
  hmacPreviousKeys?: string[];
  /** Entries must carry a valid HMAC (a key is configured and the log was always signed). */
  hmacRequired?: boolean;
  /** Worker threads; 0 = hash in the calling thread. Default: one per core. */
  threads?: number;
}

export interface VerificationReport {
  ok: boolean;
  entries: number;
  hmacChecked: boolean;
  checkpoint?: { origin: string; treeSize: number; rootHash: string };
  problem?: VerificationProblem;
  elapsedMs: number;
}

/**
 * Verifies an audit JSONL file without a database: workers hash chunks in parallel (parse,
 * canonical form, entry hash, HMAC, Merkle leaf), then this thread checks the links, the
 * classification of the first problem and the checkpoint.
 */
export async function verifyLogFile(file: string, opts: OfflineVerifyOptions = {}): Promise<VerificationReport> {
  const started = performance.now();
  const ring = new HmacKeyRing(opts.hmacKey, opts.hmacPreviousKeys ?? []);
  let cp: Checkpoint | undefined;
  let cpProblem: VerificationProblem | undefined;
  if (opts.checkpoint !== undefined) {
    try {
      if (opts.publicKey === undefined) throw new NoteError('a checkpoint needs --public-key to be verified');
      cp = parseCheckpoint(openNote(opts.checkpoint, parseVerifierKey(opts.publicKey)));
    } catch (e) {
      cpProblem = { reason: 'bad_checkpoint', seq: 0, detail: e instanceof Error ? e.message : 'invalid checkpoint' };
    }
  }
  const { facts, tornTail } = await analyzeFile(file, ring, opts.threads ?? availableParallelism());
  const report = (problem?: VerificationProblem): VerificationReport => ({
    ok: problem === undefined,
    entries: facts.length,
    hmacChecked: ring.canVerify,
    ...(cp && { checkpoint: { origin: cp.origin, treeSize: cp.treeSize, rootHash: cp.rootHash.toString('base64') } }),
    ...(problem && { problem }),
    elapsedMs: Math.round(performance.now() - started),
  });
  if (cpProblem) return report(cpProblem);
  const chain = verifyChain(facts, { hmacRequired: opts.hmacRequired ?? false });
  if (chain.problem) return report(chain.problem);
  if (tornTail) return report({ reason: 'truncated', seq: facts.length, line: facts.length + 1, detail: 'the last line is incomplete (torn write)' });
  if (cp) return report(checkAgainstCheckpoint(facts, cp));
  return report();
}

async function analyzeFile(file: string, ring: HmacKeyRing, threads: number): Promise<{ facts: LineFacts; tornTail: boolean }> {
  const size = statSync(file).size;
  const end = lastNewlineEnd(file, size);
  const parallel = threads > 1 && end > 4 * 1024 * 1024;
  const bounds = parallel ? splitOnLines(file, end, threads) : [0, end];
  const jobs: ChunkJob[] = [];
  for (let i = 0; i + 1 < bounds.length; i++) {
    jobs.push({ file, start: bounds[i], end: bounds[i + 1], currentKey: undefined, previousKeys: ring.exportKeys() });
  }
  const chunks = parallel ? await Promise.all(jobs.map(runInWorker)) : jobs.map(analyzeChunk);
  return { facts: LineFacts.concat(chunks), tornTail: end < size };
}

function readAt(file: string, position: number, length: number): Buffer {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(length);
    const n = readSync(fd, buf, 0, length, position);
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

/** Offset just after the last newline: bytes behind it are a torn (unfinished) line. */
function lastNewlineEnd(file: string, size: number): number {
  for (let pos = size; pos > 0; ) {
    const from = Math.max(0, pos - 64 * 1024);
    const nl = readAt(file, from, pos - from).lastIndexOf(0x0a);
    if (nl >= 0) return from + nl + 1;
    pos = from;
  }
  return 0;
}

function splitOnLines(file: string, end: number, parts: number): number[] {
  const bounds = [0];
  for (let p = 1; p < parts; p++) {
    const guess = Math.floor((end * p) / parts);
    if (guess <= bounds[bounds.length - 1]) continue;
    const nl = readAt(file, guess, 64 * 1024).indexOf(0x0a);
    if (nl < 0) continue;
    const at = guess + nl + 1;
    if (at < end) bounds.push(at);
  }
  bounds.push(end);
  return bounds;
}

function runInWorker(job: ChunkJob): Promise<LineFacts> {
  const script = require.resolve('./verify-worker');
  // Under ts-node/ts-jest the worker is TypeScript: load it through ts-node inside the thread.
  const ts = script.endsWith('.ts');
  const source = ts
    ? `if (!require.extensions['.ts']) require(${JSON.stringify(require.resolve('ts-node'))}).register({ transpileOnly: true, compilerOptions: { module: 'commonjs' } });
       require(${JSON.stringify(script)});`
    : script;
  const worker = new Worker(source, { eval: ts, workerData: { auditVerifyWorker: true } });
  return new Promise<LineFacts>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('message', (msg: { ok: boolean; error?: string; parts?: Record<string, ArrayBuffer> & { length: number } }) => {
      void worker.terminate();
      if (!msg.ok || !msg.parts) return reject(new Error(msg.error ?? 'verifier worker failed'));
      const p = msg.parts;
      resolve(new LineFacts(p.length, {
        seq: new Float64Array(p.seq),
        flags: new Uint8Array(p.flags),
        prev: Buffer.from(p.prev),
        hash: Buffer.from(p.hash),
        leaf: Buffer.from(p.leaf),
      }));
    });
    worker.postMessage(job);
  });
}
