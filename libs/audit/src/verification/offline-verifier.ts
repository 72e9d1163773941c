import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Checkpoint, parseCheckpoint } from '../domain/checkpoint';
import { HmacKeyRing } from '../domain/hmac-key-ring';
import { LineFacts } from '../domain/line-facts';
import { checkAgainstCheckpoint, RootBuilder, rootOfLeaves, VerificationProblem, verifyChain } from '../domain/log-verification';
import { NoteError, openNote, parseVerifierKey } from '../domain/signed-note';
import { VerifierPool } from './verifier-pool';
import { analyzeChunk, ChunkJob, SubtreeJob } from './verify-worker';

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
  const threads = Math.max(1, opts.threads ?? availableParallelism());
  const size = statSync(file).size;
  const end = lastNewlineEnd(file, size);
  // Small files are not worth starting threads for.
  const pool = threads > 1 && end > 4 * 1024 * 1024 ? new VerifierPool(threads - 1) : undefined;
  try {
    const bounds = splitOnLines(file, end, pool ? Math.max(threads * 8, Math.ceil(end / (16 * 1024 * 1024))) : 1);
    const jobs: ChunkJob[] = [];
    for (let i = 0; i + 1 < bounds.length; i++) jobs.push({ kind: 'chunk', file, start: bounds[i], end: bounds[i + 1], keys: ring.exportKeys() });
    const facts = LineFacts.concat(pool ? await pool.chunks(jobs) : jobs.map(analyzeChunk));
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
    if (end < size) return report({ reason: 'truncated', seq: facts.length, line: facts.length + 1, detail: 'the last line is incomplete (torn write)' });
    if (cp) return report(await checkAgainstCheckpoint(facts, cp, (n) => parallelRoot(facts, n, pool, threads)));
    return report();
  } finally {
    await pool?.close();
  }
}

/** MTH of the first n leaves: aligned perfect blocks hashed in parallel, then folded in order. */
async function parallelRoot(facts: LineFacts, n: number, pool: VerifierPool | undefined, threads: number): Promise<Buffer> {
  if (!pool || n < 1 << 16) return rootOfLeaves(facts, n);
  let block = 1 << 12;
  while (block * 2 * threads * 4 <= n) block *= 2;
  const blocks = Math.floor(n / block);
  const jobs: SubtreeJob[] = [];
  for (let b = 0; b < blocks; b++) jobs.push({ kind: 'subtree', leaves: new Uint8Array(facts.leaf.subarray(b * block * 32, (b + 1) * block * 32)) });
  const roots = await pool.subtrees(jobs);
  const builder = new RootBuilder();
  for (const r of roots) builder.push(r, block);
  for (let i = blocks * block; i < n; i++) builder.push(facts.leafAt(i));
  return builder.root();
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
