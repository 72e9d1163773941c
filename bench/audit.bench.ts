import { createHash, createHmac, randomUUID } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyLogFile } from '@cave/audit';
import { Database, EventStore, prepareDatabase } from '@cave/event-store';
import { ProjectionRegistry, ProjectionRuntime } from '@cave/projections';
import { AuditFileSink } from '../libs/audit/src/projections/audit-file-sink';
import { AuditWriter } from '../libs/audit/src/projections/audit-writer';
import { auditProjection } from '../libs/audit/src/projections/audit.projection';
// Bench-only reach into the lib's domain to generate a realistic log quickly (lint allows it in bench/).
import { canonicalEntry, dataDigest, GENESIS_HASH, sealEntry } from '../libs/audit/src/domain/audit-entry';
import { formatCheckpoint } from '../libs/audit/src/domain/checkpoint';
import { HmacKeyRing } from '../libs/audit/src/domain/hmac-key-ring';
import { hashLeaf } from '../libs/audit/src/domain/merkle';
import { MerkleTree } from '../libs/audit/src/domain/merkle-tree';
import { NoteSigner } from '../libs/audit/src/domain/signed-note';
import { MIGRATIONS } from '@cave/migrations';

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

/**
 * Audit lag under load: `writers` concurrent appenders at full speed for `seconds`, the audit projector
 * on the projection runtime following (HMAC on, JSONL file fsynced per batch); lag sampled every 50 ms, then the time until it is 0.
 */
async function lagUnderLoad(writers: number, seconds: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'cave-bench-audit-lag-'));
  const prepared = await prepareDatabase({ dataDir: join(dir, 'data'), log: () => undefined, migrations: MIGRATIONS });
  const db = new Database(prepared, writers + 4);
  try {
    const store = new EventStore(db);
    const sink = new AuditFileSink(join(dir, 'audit.jsonl'), db, { warn: () => undefined, error: (m) => process.stderr.write(m + '\n') });
    await sink.open();
    let audited = 0;
    // The daemon's wiring: the audit projector on the projection runtime, the file appended after each commit.
    const registry = new ProjectionRegistry().register(
      auditProjection(new AuditWriter(new HmacKeyRing(KEY)), async (r) => {
        audited += r.entries.length;
        await sink.append(r.firstSeq, r.lines);
      }),
    );
    const runtime = new ProjectionRuntime(db, store, registry, { pollMs: 200 });
    await runtime.start();
    let appended = 0;
    let stop = false;
    const loads = Array.from({ length: writers }, async (_, w) => {
      for (let v = 0; !stop; v++) {
        await store.append(`sandbox-bench-${w}`, v, [{ type: TYPES[v % 5], data: { v, cmd: 'echo hello' } }], { namespace: `team-${w % 4}`, streamType: 'sandbox', actor: 'bench' });
        appended++;
      }
    });
    let maxLag = 0;
    const started = performance.now();
    const sampler = setInterval(() => (maxLag = Math.max(maxLag, appended - audited)), 50);
    await new Promise((r) => setTimeout(r, seconds * 1000));
    stop = true;
    await Promise.all(loads);
    const stopped = performance.now();
    const lagAtStop = appended - audited;
    while (audited < appended) await new Promise((r) => setTimeout(r, 5));
    const drainMs = performance.now() - stopped;
    clearInterval(sampler);
    await runtime.stop();
    await sink.close();
    const rate = appended / ((stopped - started) / 1000);
    process.stdout.write(`\naudit lag while ${writers} writers append at max rate for ${seconds} s (HMAC on, file fsynced per batch)\n`);
    process.stdout.write(`| appends/s | max lag (events) | lag at stop | back to 0 after stop |\n| ---: | ---: | ---: | ---: |\n`);
    process.stdout.write(`| ${Math.round(rate).toLocaleString('en-US')} | ${maxLag} | ${lagAtStop} | ${Math.round(drainMs)} ms |\n`);
  } finally {
    await db.close();
    await prepared.embedded?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Offline verification rate of a generated log: bare one-core loop vs. `verifyLogFile` (1 thread, all
 * cores); then audit lag under append load (`--skip-lag` to leave it out).
 */
export async function run(argv: string[] = []): Promise<void> {
  if (!argv.includes('--skip-lag')) await lagUnderLoad(arg(argv, '--writers', 8), arg(argv, '--seconds', 5));
  if (argv.includes('--lag-only')) return;
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
