import { fork } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { PgoutputPlugin } from 'pg-logical-replication';
import { Server } from 'socket.io';
import { Database, EventStore, provisionRoleLogins, roleUrl, runMigrations, startEmbeddedPostgres } from '@cave/event-store';
import { PUBLICATION, slotNameForUrl } from '@cave/realtime';
import { randomUUID } from 'node:crypto';
import { startRealtimeLibApp } from '../libs/realtime/test/realtime.test-app';
import { ReplicationService } from '../libs/realtime/src/wal/replication-service';
import { MIGRATIONS } from '@cave/migrations';

/**
 * `npm run bench -- realtime [--seconds N]`: commit-to-client latency through CAVE's realtime
 * pipeline (WAL wake-up -> commit-safe table tail -> per-subscription ordering -> Socket.IO) and,
 * in the same run with the same shapes, through a bare pipeline (pg-logical-replication ->
 * socket.io emit to everyone: no auth, no ordering, no table read) as the floor.
 */
const SHAPES = [
  { rate: 1000, clients: 10 },
  { rate: 100, clients: 100 },
];
const WARMUP_MS = 1500;

type Stats = { n: number; p50: number; p95: number; p99: number; max: number };
const now = () => performance.timeOrigin + performance.now();

function stats(samples: number[]): Stats {
  const s = [...samples].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN;
  return { n: s.length, p50: q(0.5), p95: q(0.95), p99: q(0.99), max: s[s.length - 1] ?? NaN };
}

async function runClients(
  url: string,
  clients: number,
  extra: { token?: string; channel?: string },
  drive: (measureFrom: number) => Promise<number>,
): Promise<number[]> {
  const child = fork(join(__dirname, 'realtime', 'clients.ts'), [], { execArgv: ['-r', 'ts-node/register/transpile-only'] });
  const next = (type: string) =>
    new Promise<{ samples?: number[] }>((resolve) => child.on('message', (m: { type: string; samples?: number[] }) => m.type === type && resolve(m)));
  child.send({ type: 'start', url, clients, ...extra });
  await next('ready');
  const from = now() + WARMUP_MS;
  child.send({ type: 'measure', from });
  const measured = await drive(from);
  // Every client must get every measured event: wait for the stragglers instead of cutting them off.
  const deadline = Date.now() + 15_000;
  for (;;) {
    child.send({ type: 'count' });
    const { count } = (await next('count')) as { count?: number };
    if ((count ?? 0) >= measured * clients || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  child.send({ type: 'stop' });
  const { samples } = await next('samples');
  child.kill();
  if ((samples?.length ?? 0) !== measured * clients) process.stdout.write(`  ! expected ${measured * clients} deliveries, got ${samples?.length}\n`);
  return samples ?? [];
}

/** Appends at `rate` events/s for `ms`, each its own transaction and stream (no version conflicts). */
async function write(store: EventStore, rate: number, ms: number, measureFrom: number): Promise<number> {
  const start = now();
  let sent = 0;
  let inflight = 0;
  let measured = 0;
  const pending: Promise<unknown>[] = [];
  const run = randomUUID().slice(0, 8);
  while (now() - start < ms) {
    const due = Math.floor(((now() - start) / 1000) * rate);
    while (sent < due && inflight < 64) {
      const i = sent++;
      inflight++;
      const t = now();
      pending.push(
        store
          .append(`bench-${run}-${i}`, 'no_stream', [{ type: 'bench_tick', data: { t } }], { namespace: 'bench', streamType: 'bench' })
          .then(() => t >= measureFrom && measured++)
          .finally(() => inflight--),
      );
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  await Promise.all(pending);
  return measured;
}

async function bare(ownerUrl: string, store: EventStore, shape: (typeof SHAPES)[number], ms: number): Promise<number[]> {
  const slot = 'cave_bench_bare';
  const admin = new Client({ connectionString: ownerUrl });
  admin.on('error', () => undefined);
  await admin.connect();
  await admin.query(`select pg_create_logical_replication_slot($1, 'pgoutput')`, [slot]);
  const http = createServer();
  const io = new Server(http, { serveClient: false });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const service = new ReplicationService({ connectionString: ownerUrl });
  service.on('error', () => undefined);
  service.on('data', (_lsn: string, msg: { tag: string; new?: { data: unknown } }) => {
    if (msg.tag === 'insert') io.emit('event', { data: msg.new!.data });
  });
  void service.subscribe(new PgoutputPlugin({ protoVersion: 1, publicationNames: [PUBLICATION] }), slot).catch(() => undefined);
  try {
    const port = (http.address() as { port: number }).port;
    return await runClients(`http://127.0.0.1:${port}`, shape.clients, {}, (from) => write(store, shape.rate, ms + WARMUP_MS, from));
  } finally {
    await service.stop();
    io.close();
    await admin.query(`select pg_drop_replication_slot($1)`, [slot]).catch(() => undefined);
    await admin.end();
  }
}

async function cave(ownerUrl: string, urls: Parameters<typeof startRealtimeLibApp>[0], store: EventStore, shape: (typeof SHAPES)[number], ms: number): Promise<number[]> {
  const { app, url } = await startRealtimeLibApp(urls);
  try {
    return await runClients(`${url}/realtime`, shape.clients, { token: 'tok-admin', channel: 'namespace:bench' }, (from) => write(store, shape.rate, ms + WARMUP_MS, from));
  } finally {
    await app.close();
    const admin = new Client({ connectionString: ownerUrl });
    admin.on('error', () => undefined);
    await admin.connect();
    await admin.query(`select pg_drop_replication_slot($1)`, [slotNameForUrl(urls.replicationUrl)]).catch(() => undefined);
    await admin.end();
  }
}

export async function run(argv: string[]): Promise<void> {
  const i = argv.indexOf('--seconds');
  const ms = (i >= 0 ? Number(argv[i + 1]) : 10) * 1000;
  const dir = mkdtempSync(join(tmpdir(), 'cave-bench-rt-'));
  chmodSync(dir, 0o755);
  // fsync off: the run measures the pipeline, not this shared disk's flush queue (both pipelines alike).
  const pg = await startEmbeddedPostgres({ dataDir: dir, log: () => undefined, settings: { fsync: 'off', full_page_writes: 'off' } });
  try {
    await runMigrations(pg.url, MIGRATIONS);
    await provisionRoleLogins(pg.url);
    const urls = { appUrl: roleUrl(pg.url, 'cave_app'), adminUrl: roleUrl(pg.url, 'cave_admin'), replicationUrl: roleUrl(pg.url, 'cave_replicator') };
    const db = new Database(urls, 16);
    const store = new EventStore(db);
    const rows: string[] = [];
    const fmt = (v: number) => v.toFixed(1);
    for (const shape of SHAPES) {
      const b = stats(await bare(pg.url, store, shape, ms));
      const c = stats(await cave(pg.url, urls, store, shape, ms));
      const label = `${shape.rate} events/s -> ${shape.clients} clients`;
      rows.push(`| ${label} | bare | ${b.n} | ${fmt(b.p50)} | ${fmt(b.p95)} | ${fmt(b.p99)} | ${fmt(b.max)} | |`);
      rows.push(`| ${label} | CAVE | ${c.n} | ${fmt(c.p50)} | ${fmt(c.p95)} | ${fmt(c.p99)} | ${fmt(c.max)} | ${(c.p99 / b.p99).toFixed(2)}x |`);
      process.stdout.write(`${rows[rows.length - 2]}\n${rows[rows.length - 1]}\n`);
    }
    process.stdout.write(
      `\n| shape | pipeline | samples | p50 ms | p95 ms | p99 ms | max ms | p99 vs bare |\n| --- | --- | --- | --- | --- | --- | --- | --- |\n${rows.join('\n')}\n`,
    );
    await db.close();
  } finally {
    await pg.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export const benchmark = { description: 'realtime: commit-to-client latency, CAVE vs a bare WAL -> Socket.IO pipeline', run };
