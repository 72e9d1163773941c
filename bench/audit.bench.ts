import { createHash, createHmac, randomUUID } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyLogFile } from '@cave/audit';
// Bench-only reach into the lib's domain to generate a realistic log quickly (lint allows it in bench/).
import { canonicalEntry, dataDigest, GENESIS_HASH, sealEntry } from '../libs/audit/src/domain/audit-entry';
import { formatCheckpoint } from '../libs/audit/src/domain/checkpoint';
import { HmacKeyRing } from '../libs/audit/src/domain/hmac-key-ring';
import { hashLeaf } from '../libs/audit/src/domain/merkle';
import { MerkleTree } from '../libs/audit/src/domain/merkle-tree';
import { NoteSigner } from '../libs/audit/src/domain/signed-note';

const KEY = 'bench-audit-hmac-key-0123456789abcdef';
const TYPES = ['sandbox_created', 'sandbox_started', 'sandbox_exec', 'sandbox_stopped', 'sandbox_deleted'];

function arg(argv: string[], name: string, def: number): number {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : def;
}

/** Writes an n-entry signed log and returns the signed checkpoint over it. */
function generate(file: string, n: number, signer: NoteSigner): string {
  const ring = new HmacKeyRing(KEY);
  const tree = new MerkleTree();
  const fd = openSync(file, 'w');
  let prev = GENESIS_HASH;
  let buf: string[] = [];
  for (let i = 0; i < n; i++) {
    const e = sealEntry(
      {
        seq: i, globalPosition: i + 1, eventId: randomUUID(), eventType: TYPES[i % 5], namespace: `team-${i % 17}`,
        actor: i % 3 ? `key_${(i * 7919) % 1000}` : null, recordedAt: new Date(1_764_000_000_000 + i * 3).toISOString(),
        dataSha256: dataDigest({ i, cmd: 'echo hello' }), prevHash: prev,
      },
      ring.signer(),
    );
    const line = canonicalEntry(e as unknown as Record<string, unknown>);
    tree.append(hashLeaf(line));
    buf.push(line);
    prev = e.hash;
    if (buf.length === 10_000) {
      writeSync(fd, buf.join('\n') + '\n');
      buf = [];
    }
  }
  if (buf.length) writeSync(fd, buf.join('\n') + '\n');
  closeSync(fd);
  return signer.sign(formatCheckpoint({ origin: signer.name, treeSize: n, rootHash: tree.root(n) }));
}

/**
 * The baseline: one core, no workers, the published `canonicalize` package; per line parse,
 * canonicalize the entry without hash/hmac, SHA-256, check the link, HMAC, Merkle leaf hash.
 */
async function bareLoop(file: string): Promise<{ n: number; ms: number }> {
  // canonicalize is ESM-only: load it with a real dynamic import (TypeScript would turn import() into require()).
  const load = new Function('s', 'return import(s)') as (s: string) => Promise<{ default: (x: unknown) => string }>;
  const canonicalize = (await load('canonicalize')).default;
  const started = performance.now();
  const text = readFileSync(file, 'utf8');
  let prev = GENESIS_HASH;
  let n = 0;
  let from = 0;
  for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', from)) {
    const line = text.slice(from, nl);
    from = nl + 1;
    const e = JSON.parse(line) as Record<string, unknown>;
    const { hash, hmac, ...body } = e;
    const h = createHash('sha256').update(canonicalize(body)).digest('hex');
    if (h !== hash || e.prevHash !== prev) throw new Error(`baseline: chain broken at ${n}`);
    if (createHmac('sha256', KEY).update(h).digest('base64') !== hmac) throw new Error(`baseline: bad hmac at ${n}`);
    createHash('sha256').update(Buffer.from([0])).update(line).digest();
    prev = h;
    n++;
  }
  return { n, ms: performance.now() - started };
}

/** Offline verification rate of a generated log: bare one-core loop vs. `verifyLogFile` (1 thread, all cores). */
export async function run(argv: string[] = []): Promise<void> {
  const n = arg(argv, '--entries', 1_000_000);
  const rounds = arg(argv, '--rounds', 3);
  const dir = mkdtempSync(join(tmpdir(), 'cave-bench-audit-'));
  try {
    const file = join(dir, 'audit.jsonl');
    const { signer } = NoteSigner.generate('cave-audit-bench');
    let t = performance.now();
    const checkpoint = generate(file, n, signer);
    process.stdout.write(`generated ${n} entries (${(statSync(file).size / 1e6).toFixed(0)} MB) in ${((performance.now() - t) / 1000).toFixed(1)} s\n`);
    const opts = { hmacKey: KEY, checkpoint, publicKey: signer.verifierKey };
    const results: Record<string, number[]> = { baseline: [], oneThread: [], parallel: [] };
    for (let r = 0; r < rounds; r++) {
      const b = await bareLoop(file);
      results.baseline.push(b.n / (b.ms / 1000));
      t = performance.now();
      const one = await verifyLogFile(file, { ...opts, threads: 0 });
      results.oneThread.push(one.entries / ((performance.now() - t) / 1000));
      if (!one.ok) throw new Error(`verification failed: ${JSON.stringify(one.problem)}`);
      t = performance.now();
      const par = await verifyLogFile(file, { ...opts, threads: availableParallelism() });
      results.parallel.push(par.entries / ((performance.now() - t) / 1000));
      if (!par.ok) throw new Error(`verification failed: ${JSON.stringify(par.problem)}`);
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const base = median(results.baseline);
    process.stdout.write(`machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}; median of ${rounds} rounds\n`);
    process.stdout.write(`| variant | entries/s | vs baseline |\n| --- | ---: | ---: |\n`);
    for (const [name, label] of [['baseline', 'bare one-core loop (parse, canonicalize, SHA-256 chain, HMAC, leaf)'], ['oneThread', 'verifyLogFile, 1 thread (+ checkpoint root, classification)'], ['parallel', `verifyLogFile, ${availableParallelism()} worker threads (+ checkpoint root)`]] as const) {
      const m = median(results[name]);
      process.stdout.write(`| ${label} | ${Math.round(m).toLocaleString('en-US')} | ${(m / base).toFixed(2)}x |\n`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const benchmark = { description: 'audit: offline verification rate of a generated signed log', run };
