import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { Database, EventStore, NewEvent } from '@cave/event-store';
import { BENCH_ACTOR, BENCH_NAMESPACE, BENCH_STREAM_TYPE, rawInsertStream, sandboxCreated } from './support/bench-events';
import { benchPool, startBenchServer } from './support/bench-server';
import { Benchmark, positiveInt, reportResult } from './support/benchmark';
import { environmentLines } from './support/environment';
import { machineFacts } from './support/machine';
import { markdownTable } from './support/markdown-table';
import { runConcurrent } from './support/run-concurrent';
import { formatInt, formatRatio, median, percentile, ratePerSecond } from './support/stats';

const TARGET_RATIO = 0.8;
const TARGET_BATCH_RATE = 50_000;

interface Phase {
  label: string;
  ops: number;
  eventsPerOp: number;
  op(i: number): Promise<unknown>;
}

interface Measured {
  rates: number[];
  latencies: number[];
  /** CPU per event of this process (EventStore or the bare loop) and of all PostgreSQL processes, µs. */
  nodeUs: number[];
  pgUs: number[];
}

/**
 * EventStore.append against a bare INSERT loop writing the same rows on the same server, at the
 * same concurrency, each into its own identically migrated database (see docs/BENCHMARKS.md).
 */
export const benchmark: Benchmark = {
  description: 'EventStore.append vs the raw pg INSERT ceiling (single events and batches of 100)',
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        appends: { type: 'string', default: '20000' },
        batches: { type: 'string', default: '1000' },
        'batch-size': { type: 'string', default: '100' },
        concurrency: { type: 'string', default: '16' },
        rounds: { type: 'string', default: '5' },
        'no-write': { type: 'boolean', default: false },
      },
    });
    const n = (k: keyof typeof values) => positiveInt(values, k);
    const appends = n('appends');
    const batches = n('batches');
    const batchSize = n('batch-size');
    const concurrency = n('concurrency');
    const rounds = n('rounds');

    const machine = machineFacts();
    const server = await startBenchServer();
    const storeDb = await server.createDatabase('cave_bench_store');
    const ceilingDb = await server.createDatabase('cave_bench_ceiling');
    // The prepared reference gets a database of its own so the ceiling's table grows exactly like the store's.
    const referenceDb = await server.createDatabase('cave_bench_reference');
    const database = new Database({ appUrl: storeDb.appUrl, adminUrl: storeDb.adminUrl }, concurrency, { idleTimeoutMillis: 0 });
    const store = new EventStore(database);
    const raw = benchPool(ceilingDb.ownerUrl, concurrency);
    const rawReference = benchPool(referenceDb.ownerUrl, concurrency);
    try {
      const append = (events: NewEvent[]) =>
        store.append(`sandbox-${randomUUID()}`, 'no_stream', events, {
          namespace: BENCH_NAMESPACE,
          streamType: BENCH_STREAM_TYPE,
          actor: BENCH_ACTOR,
          correlationId: randomUUID(),
        });
      const insert = (events: NewEvent[], prepared = false) =>
        rawInsertStream(prepared ? rawReference : raw, `sandbox-${randomUUID()}`, events, randomUUID(), { prepared });
      const batchOf = (i: number) => Array.from({ length: batchSize }, (_, k) => sandboxCreated(i * batchSize + k));

      const pairs: { ceiling: Phase; store: Phase; reference?: Phase }[] = [
        {
          ceiling: { label: 'raw INSERT, 1 row per statement (ceiling)', ops: appends, eventsPerOp: 1, op: (i) => insert([sandboxCreated(i)]) },
          reference: {
            label: 'raw INSERT, 1 row, prepared (reference)',
            ops: appends,
            eventsPerOp: 1,
            op: (i) => insert([sandboxCreated(i)], true),
          },
          store: { label: 'EventStore.append, 1 event to a new stream', ops: appends, eventsPerOp: 1, op: (i) => append([sandboxCreated(i)]) },
        },
        {
          ceiling: { label: `raw INSERT, ${batchSize} rows per statement`, ops: batches, eventsPerOp: batchSize, op: (i) => insert(batchOf(i)) },
          store: { label: `EventStore.append, ${batchSize} events to a new stream`, ops: batches, eventsPerOp: batchSize, op: (i) => append(batchOf(i)) },
        },
      ];

      // Warm-up: opens every pooled connection, caches plans, touches the indexes.
      process.stdout.write('warming up\n');
      const sides = (p: (typeof pairs)[number]) => [p.ceiling, ...(p.reference ? [p.reference] : []), p.store];
      for (const p of pairs) {
        for (const ph of sides(p)) await runConcurrent(Math.ceil(ph.ops / 10), concurrency, ph.op);
      }

      const results = new Map<Phase, Measured>();
      const ratios = pairs.map(() => [] as number[]);
      const referenceRatios: number[] = [];
      for (let r = 0; r < rounds; r++) {
        for (const [pi, p] of pairs.entries()) {
          // Alternate who goes first so neither side always runs on a warmer (or busier) machine.
          const order = r % 2 === 0 ? sides(p) : sides(p).reverse();
          const rate = new Map<Phase, number>();
          for (const ph of order) {
            // Each measurement starts right after a checkpoint: equal full-page-write cost for both.
            await server.exec('checkpoint');
            const node0 = process.cpuUsage();
            const pg0 = server.cpuMs();
            const run = await runConcurrent(ph.ops, concurrency, ph.op);
            const node = process.cpuUsage(node0);
            const events = ph.ops * ph.eventsPerOp;
            const rps = ratePerSecond(events, run.elapsedMs);
            rate.set(ph, rps);
            const m = results.get(ph) ?? { rates: [], latencies: [], nodeUs: [], pgUs: [] };
            m.rates.push(rps);
            m.latencies.push(...run.latenciesMs);
            m.nodeUs.push((node.user + node.system) / events);
            m.pgUs.push(((server.cpuMs() - pg0) * 1000) / events);
            results.set(ph, m);
            process.stdout.write(`round ${r + 1}/${rounds}  ${ph.label.padEnd(48)} ${formatInt(rps).padStart(8)} events/s\n`);
          }
          ratios[pi].push(rate.get(p.store)! / rate.get(p.ceiling)!);
          if (p.reference) referenceRatios.push(rate.get(p.store)! / rate.get(p.reference)!);
        }
      }

      await assertSameRows(storeDb.ownerUrl, ceilingDb.ownerUrl);

      const singleRatio = median(ratios[0]);
      const batchRate = median(results.get(pairs[1].store)!.rates);
      const rows = pairs.flatMap((p) =>
        sides(p).map((ph) => {
          const m = results.get(ph)!;
          return [
            ph.label,
            formatInt(median(m.rates)),
            m.rates.map(formatInt).join(' / '),
            percentile(m.latencies, 50).toFixed(2),
            percentile(m.latencies, 99).toFixed(2),
            ph === p.ceiling ? '1.00x' : formatRatio(median(m.rates.map((x, r) => x / results.get(p.ceiling)!.rates[r]))),
            median(m.nodeUs).toFixed(1),
            median(m.pgUs).toFixed(1),
          ];
        }),
      );
      const table = markdownTable(
        ['phase', 'events/s (median)', 'per round', 'p50 ms', 'p99 ms', 'vs ceiling', 'Node CPU µs/event', 'PostgreSQL CPU µs/event'],
        rows,
      );
      const verdict =
        `Single-event appends: **${formatRatio(singleRatio)}** of the raw INSERT ceiling ` +
        `(target >= ${formatRatio(TARGET_RATIO)}: ${singleRatio >= TARGET_RATIO ? 'met' : 'missed'}). ` +
        `Batches of ${batchSize}: **${formatInt(batchRate)} events/s** ` +
        `(target >= ${formatInt(TARGET_BATCH_RATE)}: ${batchRate >= TARGET_BATCH_RATE ? 'met' : 'missed'}). ` +
        `Against the prepared INSERT (a stricter reference, not the target's ceiling): ${formatRatio(median(referenceRatios))}.`;

      const loadAfter = Math.round(loadavg()[0] * 100) / 100;
      await reportResult('append', {
        description: [
          ...environmentLines(machine, server, loadAfter),
          `- Workload: ${formatInt(appends)} appends of one event, each to a new stream (\`no_stream\`), and ` +
            `${formatInt(batches)} appends of ${batchSize} events, at concurrency ${concurrency}; ` +
            `EventStore as \`cave_app\` (RLS on, pool ${concurrency}), the ceiling as the superuser (pool ${concurrency}). ` +
            `A warm-up of a tenth of each, then ${rounds} rounds alternating which side goes first, a CHECKPOINT before every measurement.`,
          '- "vs ceiling" is the median over rounds of (that row\'s rate / the bare ceiling\'s rate in the same round). ' +
            'CPU columns: this process and all PostgreSQL processes, per event (p50/p99 are per append call).',
        ],
        table,
        verdict,
        write: !values['no-write'],
      });
    } finally {
      await raw.end();
      await rawReference.end();
      await database.close();
      await server.stop();
    }
  },
};

/** Both sides must have written exactly the same number of rows, or the comparison is void. */
async function assertSameRows(storeUrl: string, ceilingUrl: string): Promise<void> {
  const count = async (url: string) => {
    const p = benchPool(url, 1);
    try {
      return Number((await p.query<{ n: string }>('select count(*) as n from events')).rows[0].n);
    } finally {
      await p.end();
    }
  };
  const [a, b] = await Promise.all([count(storeUrl), count(ceilingUrl)]);
  if (a !== b) throw new Error(`row counts differ: EventStore wrote ${a}, the ceiling ${b}`);
}
