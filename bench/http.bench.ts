import { mkdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { HttpLoad, runAutocannon } from './support/autocannon-run';
import { startBenchServer } from './support/bench-server';
import { Benchmark, positiveInt, reportResult } from './support/benchmark';
import { environmentLines } from './support/environment';
import { countRows, createOne, SANDBOX_BODY, startBare, startCave } from './support/http-peers';
import { machineFacts } from './support/machine';
import { markdownTable } from './support/markdown-table';
import { ServerProcess } from './support/server-process';
import type { BatcherStats } from '@cave/event-store';
import { formatInt, formatRatio, median } from './support/stats';

/** Issue 18's targets: creations against both hand-written writers, the GET against the hand-written read. */
export const TARGETS = { createVsBareTx: 1.2, createVsBareMin: 0.9, getVsBareRead: 0.9 } as const;

interface Phase {
  key: 'create' | 'bareMin' | 'bareTx' | 'get' | 'bareRead';
  label: string;
  proc: ServerProcess;
  amount: number;
  load: Omit<HttpLoad, 'amount' | 'connections'>;
}

interface Sample {
  rate: number;
  p50: number;
  p99: number;
  /** CPU per request in µs: the server's own process, and all PostgreSQL processes. */
  nodeUs: number;
  pgUs: number;
}

/** Time after the load generator finished before the CPU readings: CAVE's followers finish their batch. */
const SETTLE_MS = 300;

/**
 * CAVE against hand-written Fastify + pg peers (issue 18), every server in its own process, one load generator
 * (autocannon in its own process) for all of them, in the same run on one embedded PostgreSQL.
 */
export const benchmark: Benchmark = {
  description: 'CAVE POST/GET /api/v1/sandboxes against hand-written Fastify + pg peers (bare-min, bare-tx, bare-read)',
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        creations: { type: 'string', default: '10000' },
        gets: { type: 'string', default: '10000' },
        connections: { type: 'string', default: '32' },
        rounds: { type: 'string', default: '3' },
        'bare-pool': { type: 'string', default: '20' },
        'cpu-prof': { type: 'string' },
        'no-write': { type: 'boolean', default: false },
      },
    });
    const n = (k: keyof typeof values) => positiveInt(values, k);
    const connections = n('connections');
    const rounds = n('rounds');
    const profileDir = values['cpu-prof'];
    if (profileDir) mkdirSync(profileDir, { recursive: true });

    const machine = machineFacts();
    const server = await startBenchServer();
    const cave = await startCave(server, 'cave_bench_http', { nodeFlags: profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [] });
    const bare = await startBare(server, 'cave_bench_bare', n('bare-pool'));
    try {
      const member = await cave.memberKey('bench');
      const caveAuth = { authorization: `Bearer ${member.key}` };
      const bareAuth = { authorization: `Bearer ${bare.key}` };
      const json = { 'content-type': 'application/json' };
      const caveId = await createOne(`${cave.proc.base}/api/v1/sandboxes`, member.key);
      const bareId = await createOne(`${bare.proc.base}/bare-tx`, bare.key);

      const post = (proc: ServerProcess, path: string, auth: Record<string, string>) => ({ url: `${proc.base}${path}`, method: 'POST' as const, headers: { ...auth, ...json }, body: SANDBOX_BODY });
      const c = connections;
      const phases: Phase[] = [
        { key: 'create', label: `CAVE POST /api/v1/sandboxes`, proc: cave.proc, amount: n('creations'), load: post(cave.proc, '/api/v1/sandboxes', caveAuth) },
        { key: 'bareMin', label: `bare-min (lookup + autocommit INSERT)`, proc: bare.proc, amount: n('creations'), load: post(bare.proc, '/bare-min', bareAuth) },
        { key: 'bareTx', label: `bare-tx (lookup + BEGIN, 2 INSERTs, COMMIT)`, proc: bare.proc, amount: n('creations'), load: post(bare.proc, '/bare-tx', bareAuth) },
        { key: 'get', label: `CAVE GET /api/v1/sandboxes/{id}`, proc: cave.proc, amount: n('gets'), load: { url: `${cave.proc.base}/api/v1/sandboxes/${caveId}`, method: 'GET', headers: caveAuth } },
        { key: 'bareRead', label: `bare-read (lookup + select by id)`, proc: bare.proc, amount: n('gets'), load: { url: `${bare.proc.base}/bare-read/${bareId}`, method: 'GET', headers: bareAuth } },
      ];
      const measure = async (p: Phase, amount: number): Promise<Sample> => {
        await server.exec('checkpoint');
        const node0 = await p.proc.cpuMicros();
        const pg0 = server.cpuMs();
        const r = (await runAutocannon({ ...p.load, amount, connections: c }))!;
        await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
        const node = (await p.proc.cpuMicros()) - node0;
        const pg = (server.cpuMs() - pg0) * 1000;
        return { rate: r.requestsPerSecond, p50: r.p50Ms, p99: r.p99Ms, nodeUs: node / amount, pgUs: pg / amount };
      };

      // A warm-up of a tenth (at least one request per connection): JIT, pooled connections, plans.
      const warmUp = (p: Phase) => Math.max(c, Math.ceil(p.amount / 10));
      process.stdout.write('warming up\n');
      for (const p of phases) await measure(p, warmUp(p));

      const samples = new Map<Phase['key'], Sample[]>();
      const perRound: { createVsBareTx: number; createVsBareMin: number; getVsBareRead: number }[] = [];
      for (let r = 0; r < rounds; r++) {
        // Rotate the order so no phase always follows the same neighbour.
        const order = phases.map((_, i) => phases[(i + r) % phases.length]);
        const got = new Map<Phase['key'], Sample>();
        for (const p of order) {
          const s = await measure(p, p.amount);
          got.set(p.key, s);
          samples.set(p.key, [...(samples.get(p.key) ?? []), s]);
          process.stdout.write(
            `round ${r + 1}/${rounds}  ${p.label.padEnd(44)} ${formatInt(s.rate).padStart(7)} /s  p99 ${s.p99.toFixed(1).padStart(6)} ms  ` +
              `node ${formatInt(s.nodeUs).padStart(5)} µs  pg ${formatInt(s.pgUs).padStart(5)} µs\n`,
          );
        }
        const rate = (k: Phase['key']) => got.get(k)!.rate;
        perRound.push({ createVsBareTx: rate('create') / rate('bareTx'), createVsBareMin: rate('create') / rate('bareMin'), getVsBareRead: rate('get') / rate('bareRead') });
      }

      const batches = (await cave.proc.request('batch-stats')) as { appends: BatcherStats; lookups: BatcherStats; reads: BatcherStats };
      const perTrip = (b: BatcherStats) => (b.statements / Math.max(1, b.roundTrips)).toFixed(1);
      const coalescing = `statements per round trip in CAVE over the whole run: appends ${perTrip(batches.appends)}, key lookups ${perTrip(batches.lookups)}, tenant reads ${perTrip(batches.reads)}`;
      process.stdout.write(`${coalescing}\n`);
      const expectedCave = 1 + phases.filter((p) => p.key === 'create').reduce((a, p) => a + warmUp(p) + rounds * p.amount, 0);
      const cavedCreated = await countRows(cave.ownerUrl, `select count(*) as n from events where event_type = 'sandbox_created'`);
      if (cavedCreated !== expectedCave) throw new Error(`CAVE: expected ${expectedCave} sandbox_created events, found ${cavedCreated}`);
      const writes = (k: Phase['key']) => warmUp(phases.find((p) => p.key === k)!) + rounds * n('creations');
      const bareEvents = await countRows(bare.ownerUrl, `select count(*) as n from events`);
      const bareRows = await countRows(bare.ownerUrl, `select count(*) as n from sandboxes`);
      if (bareEvents !== 1 + writes('bareMin') + writes('bareTx') || bareRows !== 1 + writes('bareTx')) {
        throw new Error(`bare: expected ${1 + writes('bareMin') + writes('bareTx')} events and ${1 + writes('bareTx')} rows, found ${bareEvents} and ${bareRows}`);
      }

      const med = (k: Phase['key'], f: keyof Sample) => median(samples.get(k)!.map((s) => s[f]));
      const cpu = (k: Phase['key']) => med(k, 'nodeUs') + med(k, 'pgUs');
      const rows = phases.map((p) => [
        p.label,
        formatInt(med(p.key, 'rate')),
        samples.get(p.key)!.map((s) => formatInt(s.rate)).join(' / '),
        med(p.key, 'p50').toFixed(1),
        med(p.key, 'p99').toFixed(1),
        formatInt(med(p.key, 'nodeUs')),
        formatInt(med(p.key, 'pgUs')),
        formatInt(cpu(p.key)),
      ]);
      const table = markdownTable(['server and route', 'req/s (median)', 'per round', 'p50 ms', 'p99 ms', 'server CPU µs/req', 'PostgreSQL CPU µs/req', 'total µs/req'], rows);
      const ratioRow = (name: string, k: keyof (typeof perRound)[number], target: number, cpuRatio: number) => {
        const m = median(perRound.map((x) => x[k]));
        return [name, perRound.map((x) => formatRatio(x[k])).join(' / '), formatRatio(m), `>= ${formatRatio(target)}`, m >= target ? 'met' : 'missed', formatRatio(cpuRatio)];
      };
      const p99Met = med('create', 'p99') <= med('bareTx', 'p99');
      const ratios = markdownTable(
        ['ratio', 'per round', 'median', 'target', 'verdict', 'CPU view (peer µs/req ÷ CAVE µs/req)'],
        [
          ratioRow('creations / bare-tx', 'createVsBareTx', TARGETS.createVsBareTx, cpu('bareTx') / cpu('create')),
          ratioRow('creations / bare-min', 'createVsBareMin', TARGETS.createVsBareMin, cpu('bareMin') / cpu('create')),
          ratioRow('GET by id / bare-read', 'getVsBareRead', TARGETS.getVsBareRead, cpu('bareRead') / cpu('get')),
          ['p99 creations vs bare-tx', '', `${med('create', 'p99').toFixed(1)} vs ${med('bareTx', 'p99').toFixed(1)} ms`, 'no worse', p99Met ? 'met' : 'missed', ''],
        ],
      );
      const verdict = `Creations **${formatRatio(median(perRound.map((x) => x.createVsBareTx)))}** of bare-tx and **${formatRatio(median(perRound.map((x) => x.createVsBareMin)))}** of bare-min; GET by id **${formatRatio(median(perRound.map((x) => x.getVsBareRead)))}** of bare-read (medians of the per-round ratios).`;

      await reportResult('http', {
        description: [
          ...environmentLines(machine, server, Math.round(loadavg()[0] * 100) / 100),
          `- Three servers, each in its own Node process: the daemon's app (\`createApp\`, LOG_LEVEL=silent, default pool of 20 per role, a member key), ` +
            `and \`bench/servers/bare.server.ts\`, hand-written Fastify + \`pg\` (pool of ${n('bare-pool')}, connected as the table owner: no RLS) with ` +
            `\`bare-min\`, \`bare-tx\` and \`bare-read\` on its own identically migrated database. One load generator for all: autocannon in its own process, ` +
            `${c} connections, ${formatInt(n('creations'))} creations and ${formatInt(n('gets'))} GETs per phase, ${rounds} rounds in rotating order, ` +
            `a CHECKPOINT before each phase, a warm-up of a tenth first. Every write is durable (fsync on); the run checks every side wrote what it answered.`,
          `- CAVE's creation does more than the peers: auth through a security-definer function, validation, the decider, \`cave_append\` + the inline ` +
            `\`sandboxes\` row in one statement (group commit, ADR 0009), and the audit writer, \`sandboxes\` projector and realtime fan-out following the log; ${coalescing}.`,
          `- CPU columns: the server process's own \`process.cpuUsage\` and all PostgreSQL processes (/proc), per request, read ${SETTLE_MS} ms after ` +
            `the phase so followers' work counts; autocannon's CPU is in neither. On 2 shared cores CPU per request moves less with other load than req/s.`,
        ],
        table: `${table}\n\n${ratios}`,
        verdict,
        write: !values['no-write'],
      });
    } finally {
      await cave.stop();
      await bare.stop();
      await server.stop();
    }
  },
};

