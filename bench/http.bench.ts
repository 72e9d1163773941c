import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Pool } from 'pg';
import { loadConfig } from '@cave/config';
import { Database, StatementBatcher } from '@cave/event-store';
import { createApp } from '../apps/cave-daemon/src/bootstrap/create-app';
import { HttpLoad, runAutocannon } from './support/autocannon-run';
import { rawInsertStream, sandboxCreated } from './support/bench-events';
import { benchPool, startBenchServer } from './support/bench-server';
import { Benchmark, positiveInt, reportResult } from './support/benchmark';
import { environmentLines } from './support/environment';
import { machineFacts } from './support/machine';
import { markdownTable } from './support/markdown-table';
import { runConcurrent } from './support/run-concurrent';
import { formatInt, formatRatio, median, ratePerSecond } from './support/stats';

const TARGET_RATIO = 0.6;

interface Phase {
  label: string;
  run(amount: number): Promise<{ rate: number; p50: number; p99: number }>;
  amount: number;
}

/**
 * Sandbox creations over real HTTP (the daemon app from createApp, member key, autocannon in a
 * child process) against a trivial authenticated GET on the same app and the raw INSERT ceiling
 * of the append benchmark, all on one embedded server in one run.
 */
export const benchmark: Benchmark = {
  description: 'POST /api/v1/sandboxes over HTTP vs an authenticated GET and the raw pg INSERT ceiling',
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        creations: { type: 'string', default: '10000' },
        gets: { type: 'string', default: '10000' },
        inserts: { type: 'string', default: '20000' },
        connections: { type: 'string', default: '32' },
        rounds: { type: 'string', default: '3' },
        'no-write': { type: 'boolean', default: false },
      },
    });
    const n = (k: keyof typeof values) => positiveInt(values, k);
    const connections = n('connections');
    const rounds = n('rounds');

    const machine = machineFacts();
    const server = await startBenchServer();
    const dataDir = mkdtempSync(join(tmpdir(), 'cave-bench-http-'));
    const appDb = await server.createDatabase('cave_bench_http');
    const ceilingDb = await server.createDatabase('cave_bench_ceiling');
    const adminKey = `cave_sk_${randomBytes(32).toString('base64url')}`;
    const config = loadConfig({
      LOG_LEVEL: 'silent',
      DATABASE_URL: appDb.ownerUrl,
      CAVE_DATA_DIR: dataDir,
      CAVE_AUDIT_LOG_PATH: join(dataDir, 'audit.jsonl'),
      CAVE_BOOTSTRAP_ADMIN_KEY: adminKey,
    });
    const app = await createApp(config, { appUrl: appDb.appUrl, adminUrl: appDb.adminUrl }, { silent: true });
    const raw16 = benchPool(ceilingDb.ownerUrl, 16);
    const raw32 = benchPool(ceilingDb.ownerUrl, connections);
    try {
      await app.listen({ port: 0, host: '127.0.0.1' });
      const address = app.getHttpServer().address();
      const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
      const member = await issueMemberKey(base, adminKey);
      const auth = { authorization: `Bearer ${member.key}` };

      const http = (load: Omit<HttpLoad, 'amount' | 'connections'>) => async (amount: number) => {
        const r = await runAutocannon({ ...load, amount, connections });
        return { rate: r.requestsPerSecond, p50: r.p50Ms, p99: r.p99Ms };
      };
      const rawAt = (pool: Pool, concurrency: number) => async (amount: number) => {
        const run = await runConcurrent(amount, concurrency, (i) => rawInsertStream(pool, `sandbox-${randomUUID()}`, [sandboxCreated(i)], randomUUID()));
        const sorted = [...run.latenciesMs].sort((a, b) => a - b);
        return { rate: ratePerSecond(amount, run.elapsedMs), p50: sorted[Math.floor(sorted.length / 2)], p99: sorted[Math.floor(sorted.length * 0.99)] };
      };
      const create: Phase = {
        label: `POST /api/v1/sandboxes (creations), ${connections} connections`,
        amount: n('creations'),
        run: http({
          url: `${base}/api/v1/sandboxes`,
          method: 'POST',
          headers: { ...auth, 'content-type': 'application/json' },
          body: JSON.stringify({ name: 'bench-sandbox', runtime: 'javascript', mode: 'quick', labels: { team: 'bench' } }),
        }),
      };
      const get: Phase = {
        label: `GET /api/v1/auth/keys/:own-id (authenticated), ${connections} connections`,
        amount: n('gets'),
        run: http({ url: `${base}/api/v1/auth/keys/${member.id}`, method: 'GET', headers: auth }),
      };
      const ceiling16: Phase = { label: 'raw INSERT ceiling (append bench), concurrency 16', amount: n('inserts'), run: rawAt(raw16, 16) };
      const ceiling32: Phase = { label: `raw INSERT ceiling, concurrency ${connections}`, amount: n('inserts'), run: rawAt(raw32, connections) };
      const phases = [create, get, ceiling16, ceiling32];

      // autocannon needs at least one request per connection.
      const warmUp = (p: Phase) => Math.max(connections, Math.ceil(p.amount / 10));
      process.stdout.write('warming up\n');
      for (const p of phases) await p.run(warmUp(p));

      const measured = new Map<Phase, { rates: number[]; p50: number[]; p99: number[]; nodeUs: number[]; pgUs: number[] }>();
      const ratios: number[] = [];
      for (let r = 0; r < rounds; r++) {
        // Rotate the order so no phase always follows the same neighbour.
        const order = phases.map((_, i) => phases[(i + r) % phases.length]);
        const rate = new Map<Phase, number>();
        for (const p of order) {
          await server.exec('checkpoint');
          const node0 = process.cpuUsage();
          const pg0 = server.cpuMs();
          const res = await p.run(p.amount);
          const node = process.cpuUsage(node0);
          rate.set(p, res.rate);
          const m = measured.get(p) ?? { rates: [], p50: [], p99: [], nodeUs: [], pgUs: [] };
          m.rates.push(res.rate);
          m.p50.push(res.p50);
          m.p99.push(res.p99);
          m.nodeUs.push((node.user + node.system) / p.amount);
          m.pgUs.push(((server.cpuMs() - pg0) * 1000) / p.amount);
          measured.set(p, m);
          process.stdout.write(`round ${r + 1}/${rounds}  ${p.label.padEnd(62)} ${formatInt(res.rate).padStart(8)} /s\n`);
        }
        ratios.push(rate.get(create)! / Math.max(rate.get(ceiling16)!, rate.get(ceiling32)!));
      }

      const db = app.get(Database);
      const perTrip = (b: StatementBatcher) => (b.stats.statements / Math.max(1, b.stats.roundTrips)).toFixed(1);
      const coalescing = `statements per round trip over the whole run: appends ${perTrip(db.appends)}, key lookups ${perTrip(db.lookups)}`;
      process.stdout.write(`${coalescing}\n`);
      const expected = warmUp(create) + rounds * create.amount;
      const created = await countCreated(appDb.ownerUrl);
      if (created !== expected) throw new Error(`expected ${expected} sandbox_created events, found ${created}`);

      const ratio = median(ratios);
      const rows = phases.map((p) => {
        const m = measured.get(p)!;
        return [
          p.label,
          formatInt(median(m.rates)),
          m.rates.map(formatInt).join(' / '),
          median(m.p50).toFixed(2),
          median(m.p99).toFixed(2),
          formatInt(median(m.nodeUs)),
          formatInt(median(m.pgUs)),
        ];
      });
      const table = markdownTable(
        ['phase', 'per second (median)', 'per round', 'p50 ms', 'p99 ms', 'Node CPU µs/op', 'PostgreSQL CPU µs/op'],
        rows,
      );
      const verdict =
        `Sandbox creations over HTTP: **${formatRatio(ratio)}** of the raw INSERT ceiling ` +
        `(the better of concurrency 16 and ${connections} in the same round; target >= ${formatRatio(TARGET_RATIO)}: ` +
        `${ratio >= TARGET_RATIO ? 'met' : 'missed'}). Per round: ${ratios.map(formatRatio).join(' / ')}.`;

      await reportResult('http', {
        description: [
          ...environmentLines(machine, server, Math.round(loadavg()[0] * 100) / 100),
          `- The daemon app from \`createApp\` (Fastify, LOG_LEVEL=silent, default pool of 20 per role) on its own migrated database; ` +
            `load from autocannon in a child process, ${connections} connections, a member key. A creation is one request, a key ` +
            `lookup and one statement that calls \`cave_append\` and writes the \`sandboxes\` row (inline projection) in one ` +
            `transaction; a new stream is not read first. Concurrent lookups and appends share round trips and commits ` +
            `(group commit, ADR 0009; ${coalescing}). ` +
            `The in-process audit writer and async \`sandboxes\` projector follow the log as in production and are in the CPU columns.`,
          `- Each round: ${formatInt(create.amount)} creations, ${formatInt(get.amount)} GETs, ${formatInt(ceiling16.amount)} raw INSERTs at each ` +
            `concurrency, in rotating order, a CHECKPOINT before each; a warm-up of a tenth first; ${rounds} rounds. ` +
            `The ceiling is the append benchmark's bare INSERT of the same event row into an identically migrated database.`,
          '- CPU columns: this process (the app, or the bare INSERT loop) and all PostgreSQL processes, per operation; ' +
            'autocannon\'s own CPU is not included. On 2 shared cores they say where the time goes.',
        ],
        table,
        verdict,
        write: !values['no-write'],
      });
    } finally {
      await app.close();
      await raw16.end();
      await raw32.end();
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
};

async function issueMemberKey(base: string, adminKey: string): Promise<{ id: string; key: string }> {
  const res = await fetch(`${base}/api/v1/auth/keys`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ namespace: 'bench', name: 'http benchmark', role: 'member' }),
  });
  if (res.status !== 201) throw new Error(`issuing the member key failed: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as { id: string; key: string };
}

async function countCreated(ownerUrl: string): Promise<number> {
  const pool = benchPool(ownerUrl, 1);
  try {
    const { rows } = await pool.query<{ n: string }>(`select count(*) as n from events where event_type = 'sandbox_created'`);
    return Number(rows[0].n);
  } finally {
    await pool.end();
  }
}
