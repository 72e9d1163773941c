import { ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import getPort from 'get-port';
import { spawnDaemon, withClient, type DaemonProcess } from '@cave/testing';
import { peerDaemonEnv } from '../test/support/peer-daemon-env';
import { TestPki } from '../test/support/peer-pki';
import { modelBytes, newPublisher, packModel, trustPublisher, uploadModel } from '../test/support/registry-models';
import { startBenchServer } from './support/bench-server';
import { Benchmark, positiveInt, reportResult } from './support/benchmark';
import { environmentLines } from './support/environment';
import { machineFacts } from './support/machine';
import { markdownTable } from './support/markdown-table';
import { formatRatio, median } from './support/stats';

const TARGET_RATIO = 0.8;
const ROOT = join(__dirname, '..');
const ADMIN = 'cave_sk_' + 'b'.repeat(40);
const headers = { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' };

interface Daemon extends DaemonProcess {
  url: string;
  peerUrl: string;
  dbUrl: string;
}

async function api(url: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: (await res.json().catch(() => ({}))) as Record<string, unknown> };
}

async function until<T>(what: string, timeoutMs: number, f: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await f().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A bare mTLS download of the whole file: stream, SHA-256 and write to disk (what a replication does per chunk). */
function bareDownload(port: number, tls: { ca: string; cert: string; key: string }, out: string): Promise<{ ms: number; sha256: string }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const hash = createHash('sha256');
    const file = createWriteStream(out);
    const req = request({ host: '127.0.0.1', port, path: '/', agent: false, ...tls, minVersion: 'TLSv1.3' }, (res) => {
      res.on('data', (d: Buffer) => hash.update(d));
      res.pipe(file);
      file.on('finish', () => resolve({ ms: performance.now() - t0, sha256: hash.digest('hex') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** One mutual-TLS GET, body discarded: its status. */
function peerGet(port: number, path: string, tls: { ca: string; cert: string; key: string }): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false, ...tls, minVersion: 'TLSv1.3' }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * Replication of one artifact between daemon processes (own databases, data dirs and certificates) from one and
 * from two source peers, next to a single bare mutual-TLS HTTPS download of the same file in the same run.
 */
export const benchmark: Benchmark = {
  description: 'P2P replication (one and two source peers) vs one bare mutual-TLS HTTPS download of the same artifact',
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        'size-mib': { type: 'string', default: '256' },
        'chunk-kib': { type: 'string', default: '4096' },
        rounds: { type: 'string', default: '3' },
        'no-write': { type: 'boolean', default: false },
      },
    });
    const sizeMiB = positiveInt(values, 'size-mib');
    const chunkKiB = positiveInt(values, 'chunk-kib');
    const rounds = positiveInt(values, 'rounds');
    const facts = machineFacts();
    const pg = await startBenchServer();
    const work = mkdtempSync(join(tmpdir(), 'cave-bench-p2p-'));
    const procs: ChildProcess[] = [];
    try {
      const pki = await TestPki.create();
      const publisher = newPublisher();
      const packed = await packModel(work, modelBytes(sizeMiB * 1024 * 1024, 42), 'bench-model', chunkKiB * 1024, publisher);
      const { signed, artifactPath: artifact } = packed;

      const daemons: Record<'s1' | 's2' | 't', Daemon> = {} as never;
      for (const name of ['s1', 's2', 't'] as const) {
        const db = await pg.createDatabase(`p2p_${name}`);
        const [port, peerPort, cert] = await Promise.all([getPort(), getPort(), pki.node(`bench-${name}`)]);
        const env = peerDaemonEnv({ port, peerPort, certFiles: cert.files, databaseUrl: db.ownerUrl, dataDir: join(work, name), adminKey: ADMIN }, { LOG_LEVEL: 'warn' });
        const d: Daemon = { ...spawnDaemon(env), url: `http://127.0.0.1:${port}`, peerUrl: `https://127.0.0.1:${peerPort}`, dbUrl: db.ownerUrl };
        procs.push(d.proc);
        daemons[name] = d;
      }
      for (const d of Object.values(daemons)) await until('daemon healthy', 180_000, async () => ((await fetch(`${d.url}/healthz`)).status === 200 ? true : undefined));
      // The model goes into the real registry of both sources as an operator puts it there: a signed .bkg upload.
      for (const d of Object.values(daemons)) await trustPublisher(d.url, ADMIN, publisher);
      for (const d of [daemons.s1, daemons.s2]) await uploadModel(d.url, ADMIN, packed.bkgPath);

      const bareCert = await pki.node('bench-bare');
      const bare = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'bench/support/bare-mtls-server.ts', artifact, bareCert.files.CAVE_PEER_CA_FILE, bareCert.files.CAVE_PEER_CERT_FILE, bareCert.files.CAVE_PEER_KEY_FILE], { cwd: ROOT });
      procs.push(bare);
      const barePort = await new Promise<number>((r) => bare.stdout!.once('data', (x: Buffer) => r(Number(String(x).trim()))));
      const client = await pki.node('bench-client');
      const tls = { ca: pki.ca.certPem, cert: client.certPem, key: client.keyPem };
      // A source's registry materialises its verified local copy on the first chunk asked for: not part of a round.
      for (const d of [daemons.s1, daemons.s2]) {
        const status = await peerGet(Number(new URL(d.peerUrl).port), `/peer/v1/chunks/${signed.manifest.chunks[0]}`, tls);
        if (status !== 200) throw new Error(`warming a source answered ${status}`);
      }

      const replicateOnce = async (): Promise<{ transferMs: number; durationMs: number; bySource: Record<string, number> }> => {
        const res = await api(daemons.t.url, 'POST', '/api/v1/peers/replications', { artifactSha256: signed.manifest.sha256 });
        if (res.status !== 202) throw new Error(`replication request answered ${res.status}: ${JSON.stringify(res.body)}`);
        const id = res.body.id as string;
        const job = await until('replication finished', 600_000, async () => {
          const j = (await api(daemons.t.url, 'GET', `/api/v1/peers/replications/${id}`)).body;
          return j.status === 'completed' || j.status === 'failed' ? j : undefined;
        });
        if (job.status !== 'completed') throw new Error(`replication failed: ${job.errorCode} ${job.error}`);
        const data = await withClient(daemons.t.dbUrl, async (c) => (await c.query<{ data: { transferMs: number; durationMs: number; bySource: Record<string, number> } }>(
          `select data from events where event_type = 'replication_completed' and stream_id = $1`, [`replication-${id}`])).rows[0].data);
        return data;
      };

      const rows: string[][] = [];
      const bareMs: number[] = [];
      const one: number[] = [];
      const oneTotal: number[] = [];
      const two: number[] = [];
      const twoTotal: number[] = [];
      const shares: string[] = [];
      const mibps = (ms: number) => (sizeMiB / (ms / 1000)).toFixed(0);
      const s1 = (await api(daemons.t.url, 'POST', '/api/v1/peers', { url: daemons.s1.peerUrl, name: 's1' })).body.id as string;
      for (let r = 0; r < rounds; r++) {
        const b = await bareDownload(barePort, tls, join(work, `bare-${r}.bin`));
        if (b.sha256 !== signed.manifest.sha256) throw new Error('bare download hash mismatch');
        rmSync(join(work, `bare-${r}.bin`));
        bareMs.push(b.ms);
        const o = await replicateOnce();
        one.push(o.transferMs);
        oneTotal.push(o.durationMs);
      }
      const s2 = (await api(daemons.t.url, 'POST', '/api/v1/peers', { url: daemons.s2.peerUrl, name: 's2' })).body.id as string;
      for (let r = 0; r < rounds; r++) {
        const t = await replicateOnce();
        two.push(t.transferMs);
        twoTotal.push(t.durationMs);
        const total = Object.values(t.bySource).reduce((x, y) => x + y, 0);
        shares.push(`s1 ${((100 * (t.bySource[s1] ?? 0)) / total).toFixed(0)}% / s2 ${((100 * (t.bySource[s2] ?? 0)) / total).toFixed(0)}%`);
      }
      const bareMed = median(bareMs);
      rows.push(['bare mTLS HTTPS download (1 connection, sha256 + write)', mibps(bareMed), '1.00x', '-']);
      rows.push(['replication, 1 source (transfer: chunks fetched, verified, written)', mibps(median(one)), formatRatio(bareMed / median(one)), `${mibps(median(oneTotal))} MiB/s`]);
      rows.push(['replication, 2 sources (transfer)', mibps(median(two)), formatRatio(bareMed / median(two)), `${mibps(median(twoTotal))} MiB/s`]);
      const ratio = bareMed / median(one);
      const loadAfter = Number(loadavg()[0].toFixed(2));
      const table = markdownTable(['Run (median of rounds)', 'MiB/s', 'vs bare', 'end to end (whole hash + registry verify)'], rows);
      const verdict = `${ratio >= TARGET_RATIO ? '**Target met**' : '**Target missed**'}: one-source replication transfer at ${formatRatio(ratio)} of the bare mTLS download (target >= ${TARGET_RATIO}x). Two-source shares: ${shares.join('; ')}.`;
      await reportResult('p2p', {
        description: [
          ...environmentLines(facts, pg, loadAfter),
          `- ${sizeMiB} MiB artifact in ${chunkKiB} KiB chunks, ${rounds} rounds. Three daemon processes on loopback (own databases on one PostgreSQL server, own data dirs and node certificates; registry: each node's model registry on the fs storage backend, the model uploaded to both sources as a signed .bkg).`,
          '- Bare: one GET of the whole file from a plain Node https server with the same mutual TLS 1.3 setup, hashed and written to disk.',
          '- Transfer = replication_started to every chunk stored and verified; end to end adds the whole-artifact hash and the registry check (which re-hashes and copies).',
        ],
        table,
        verdict,
        write: !values['no-write'],
      });
    } finally {
      for (const p of procs) p.kill('SIGKILL');
      await pg.stop();
      rmSync(work, { recursive: true, force: true });
    }
  },
};
