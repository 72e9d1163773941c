import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { Benchmark, positiveInt, reportResult } from './support/benchmark';
import { startBenchServer } from './support/bench-server';
import { environmentLines } from './support/environment';
import { startCave } from './support/http-peers';
import { machineFacts } from './support/machine';
import { markdownTable } from './support/markdown-table';
import { median } from './support/stats';
import { startServerProcess } from './support/server-process';

const MiB = 1024 * 1024;
const TARGET_RATIO = 0.8;
/** RSS may grow by at most this much while a large object passes through ("flat": independent of its size). */
const FLAT_RSS_MiB = 64;

/** Resident set size of a process in MiB, from /proc (Linux). */
function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : 0;
}

/** Samples a process's RSS every 50 ms while `fn` runs: the value before and the peak during. */
async function sampledRss<T>(pid: number, fn: () => Promise<T>): Promise<{ result: T; before: number; peak: number }> {
  const before = rssMiB(pid);
  let peak = before;
  const timer = setInterval(() => (peak = Math.max(peak, rssMiB(pid))), 50);
  try {
    const result = await fn();
    peak = Math.max(peak, rssMiB(pid));
    return { result, before, peak };
  } finally {
    clearInterval(timer);
  }
}

/** Streams `file` as the body of a PUT (Content-Length set), resolving with the status once answered. */
function putFile(url: string, file: string, size: number, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'PUT', headers: { 'content-type': 'application/octet-stream', 'content-length': String(size), ...headers } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    createReadStream(file, { highWaterMark: MiB }).pipe(req);
  });
}

/** GETs and drains a body, resolving with its length. */
function getDrained(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    httpRequest(url, { headers }, (res) => {
      let n = 0;
      res.on('data', (c: Buffer) => (n += c.length));
      res.on('end', () => (res.statusCode === 200 ? resolve(n) : reject(new Error(`GET ${url}: HTTP ${res.statusCode}`))));
    })
      .on('error', reject)
      .end();
  });
}

function smallPut(url: string, body: Buffer, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'PUT', headers: { 'content-type': 'application/octet-stream', 'content-length': String(body.length), ...headers } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function seconds(fn: () => Promise<unknown>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

/** `count` PUTs of `body`, `concurrency` at a time: requests per second. */
async function putsPerSecond(count: number, concurrency: number, url: (i: number) => string, body: Buffer, headers: Record<string, string>): Promise<number> {
  let next = 0;
  const s = await seconds(() =>
    Promise.all(
      Array.from({ length: concurrency }, async () => {
        for (let i = next++; i < count; i = next++) {
          const status = await smallPut(url(i), body, headers);
          if (status !== 200) throw new Error(`small PUT ${url(i)}: HTTP ${status}`);
        }
      }),
    ),
  );
  return count / s;
}

async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      'size-mib': { type: 'string', default: '256' },
      rounds: { type: 'string', default: '3' },
      small: { type: 'string', default: '1000' },
      'small-bytes': { type: 'string', default: '1024' },
      concurrency: { type: 'string', default: '16' },
      'no-write': { type: 'boolean', default: false },
    },
  });
  const sizeMiB = positiveInt(values, 'size-mib');
  const rounds = positiveInt(values, 'rounds');
  const small = positiveInt(values, 'small');
  const smallBytes = positiveInt(values, 'small-bytes');
  const concurrency = positiveInt(values, 'concurrency');
  const size = sizeMiB * MiB;
  const machine = machineFacts();
  const work = mkdtempSync(join(tmpdir(), 'cave-bench-storage-'));
  const server = await startBenchServer();
  const cave = await startCave(server, `cave_bench_storage_${Date.now().toString(36)}`, { env: { CAVE_STORAGE_SWEEP_INTERVAL_MS: '0' } });
  const bare = await startServerProcess('bare-upload.server.ts', { CAVE_BENCH_DIR: join(work, 'bare') });
  try {
    const source = join(work, 'source.bin');
    const out = await open(source, 'w');
    for (let o = 0; o < size; o += 4 * MiB) await out.write(randomBytes(Math.min(4 * MiB, size - o)));
    await out.sync();
    await out.close();
    const member = await cave.memberKey('bench');
    const auth = { authorization: `Bearer ${member.key}` };
    const bucket = await fetch(`${cave.proc.base}/api/v1/storage/buckets/bench`, { method: 'PUT', headers: auth });
    if (bucket.status !== 201) throw new Error(`creating the bucket: HTTP ${bucket.status}`);
    const objectUrl = (k: string) => `${cave.proc.base}/api/v1/storage/buckets/bench/objects/${k}`;

    const copy: number[] = [];
    const up = { cave: [] as number[], bare: [] as number[] };
    const down = { cave: [] as number[], bare: [] as number[] };
    const cpuPerMiB = { cave: [] as number[], bare: [] as number[] };
    const rss = { before: 0, peakUp: 0, peakDown: 0 };
    for (let r = 0; r < rounds; r++) {
      copy.push(
        sizeMiB /
          (await seconds(async () => {
            const target = join(work, `copy-${r}.bin`);
            await pipeline(createReadStream(source, { highWaterMark: MiB }), createWriteStream(target));
            const h = await open(target, 'r+');
            await h.sync();
            await h.close();
            rmSync(target);
          })),
      );
      // Alternate who goes first, so page cache and disk state favour neither.
      const order = r % 2 === 0 ? (['bare', 'cave'] as const) : (['cave', 'bare'] as const);
      for (const who of order) {
        const proc = who === 'cave' ? cave.proc : bare;
        const putUrl = who === 'cave' ? objectUrl(`large-${r}`) : `${bare.base}/upload/large-${r}`;
        const getUrl = who === 'cave' ? objectUrl(`large-${r}`) : `${bare.base}/download/large-${r}`;
        const headers = who === 'cave' ? auth : {};
        const cpu0 = await proc.cpuMicros();
        const sampled = await sampledRss(proc.pid, () =>
          seconds(async () => {
            const status = await putFile(putUrl, source, size, headers);
            if (status !== 200) throw new Error(`${who} upload: HTTP ${status}`);
          }),
        );
        cpuPerMiB[who].push((await proc.cpuMicros()) - cpu0);
        up[who].push(sizeMiB / sampled.result);
        const downloaded = await sampledRss(proc.pid, () =>
          seconds(async () => {
            const n = await getDrained(getUrl, headers);
            if (n !== size) throw new Error(`${who} download: ${n} of ${size} bytes`);
          }),
        );
        down[who].push(sizeMiB / downloaded.result);
        if (who === 'cave') {
          if (r === 0) rss.before = sampled.before;
          rss.peakUp = Math.max(rss.peakUp, sampled.peak);
          rss.peakDown = Math.max(rss.peakDown, downloaded.peak);
        }
      }
      process.stdout.write(`round ${r + 1}: upload cave ${up.cave[r].toFixed(0)} / bare ${up.bare[r].toFixed(0)} MiB/s, download cave ${down.cave[r].toFixed(0)} / bare ${down.bare[r].toFixed(0)} MiB/s, fs copy ${copy[r].toFixed(0)} MiB/s\n`);
    }
    const smallBody = randomBytes(smallBytes);
    const smallCave = await putsPerSecond(small, concurrency, (i) => objectUrl(`small/${i}`), smallBody, auth);
    const smallBare = await putsPerSecond(small, concurrency, (i) => `${bare.base}/upload/small-${i}`, smallBody, {});

    const m = (xs: number[]) => median(xs);
    const upRatio = m(up.cave) / m(up.bare);
    const downRatio = m(down.cave) / m(down.bare);
    const growth = Math.max(rss.peakUp, rss.peakDown) - rss.before;
    const cpu = (who: 'cave' | 'bare') => (m(cpuPerMiB[who]) / 1000 / sizeMiB).toFixed(2);
    const loadAfter = machineFacts().loadAverage;
    const rows = [
      ['bare Node fs stream copy (read + write + fsync)', m(copy).toFixed(0), '–', '–', '–'],
      ['bare Fastify upload handler (hash, write, fsync, rename)', m(up.bare).toFixed(0), m(down.bare).toFixed(0), cpu('bare'), '1.00'],
      ['CAVE `PUT/GET /api/v1/storage/.../objects/{key}` (fs backend)', m(up.cave).toFixed(0), m(down.cave).toFixed(0), cpu('cave'), upRatio.toFixed(2)],
    ];
    await reportResult('storage', {
      description: [
        ...environmentLines(machine, server, loadAfter),
        `- Workload: one ${sizeMiB} MiB object (random bytes from a file, streamed with Content-Length) uploaded and downloaded over HTTP on loopback, ${rounds} rounds (median; who goes first alternates), each server in its own Node process; then ${small} PUTs of ${smallBytes} B, ${concurrency} at a time.`,
        '- CAVE does the whole write path: API key, bucket and quota check, sha256, temp file, fsync, rename, `object_stored` event and read-model row in one transaction. The bare handler hashes, writes, fsyncs and renames only. CPU is the server process\'s own (process.cpuUsage), less sensitive to the machine\'s load than wall-clock throughput.',
        `- Daemon RSS (sampled every 50 ms from /proc): ${rss.before.toFixed(0)} MiB before the first transfer, peak ${rss.peakUp.toFixed(0)} MiB during uploads and ${rss.peakDown.toFixed(0)} MiB during downloads.`,
      ],
      table: [
        markdownTable(['path', 'upload MiB/s', 'download MiB/s', 'server CPU ms/MiB (upload)', 'upload vs bare'], rows),
        '',
        markdownTable(['small-object PUT', 'PUT/s'], [
          [`CAVE (${smallBytes} B, event + read model each)`, smallCave.toFixed(0)],
          [`bare Fastify handler (${smallBytes} B, file only)`, smallBare.toFixed(0)],
        ]),
      ].join('\n'),
      verdict:
        `Large-object upload **${upRatio.toFixed(2)}x** the bare Fastify handler (target ≥ ${TARGET_RATIO}x: ${upRatio >= TARGET_RATIO ? 'met' : 'missed'}), download ${downRatio.toFixed(2)}x. ` +
        `Daemon RSS grew **${growth.toFixed(0)} MiB** while ${sizeMiB} MiB objects passed through (flat = under ${FLAT_RSS_MiB} MiB: ${growth < FLAT_RSS_MiB ? 'met' : 'missed'}).`,
      write: !values['no-write'],
    });
  } finally {
    await bare.stop();
    await cave.stop();
    await server.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

export const benchmark: Benchmark = {
  description: 'object storage over HTTP on the fs backend: large-object upload/download throughput and RSS, small-object PUT/s, next to a bare fs copy and a bare Fastify upload handler',
  run,
};
