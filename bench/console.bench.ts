import { parseArgs } from 'node:util';
import { Pool } from 'pg';
import { Database, EventStore } from '@cave/event-store';
import { toRecordedEventDto } from '@cave/http';
import { ListEventsHandler } from '../libs/history/src/queries/list-events/list-events.handler';
import { EventLogFilter, ListEventsQuery } from '../libs/history/src/queries/list-events/list-events.query';
import { GENERATE_SQL } from './replay/sandbox-model';
import { Benchmark, positiveInt, reportResult } from './support/benchmark';
import { startBenchServer } from './support/bench-server';
import { environmentLines } from './support/environment';
import { machineFacts } from './support/machine';
import { markdownTable } from './support/markdown-table';
import { median, percentile } from './support/stats';

const TARGET_MS = 300;
const PAGE = 50;

/** One explorer request's server work: the query handler the route calls, the DTO mapping and the JSON body. */
async function explorerPage(handler: ListEventsHandler, filter: Omit<EventLogFilter, 'limit'>, scope?: string): Promise<number> {
  const page = await handler.execute(new ListEventsQuery({ ...filter, limit: PAGE }, scope));
  const body = JSON.stringify({ items: page.events.map(toRecordedEventDto), nextCursor: page.cursor });
  return body.length;
}

async function timed(rounds: number, fn: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < 3; i++) await fn(); // warm plans and buffers
  const ms: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = process.hrtime.bigint();
    await fn();
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return ms;
}

async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { events: { type: 'string', default: '1000000' }, rounds: { type: 'string', default: '30' }, 'no-write': { type: 'boolean', default: false } } });
  const events = positiveInt(values, 'events');
  const rounds = positiveInt(values, 'rounds');
  if (events % 5 !== 0) throw new Error('--events must be a multiple of 5');
  const machine = machineFacts();
  const server = await startBenchServer();
  let db: Database | undefined;
  let bare: Pool | undefined;
  try {
    const target = await server.createDatabase(`cave_bench_console_${Date.now().toString(36)}`);
    const t0 = Date.now();
    bare = new Pool({ connectionString: target.ownerUrl, max: 2 });
    // 10 namespaces, 5 events per sandbox stream, in chunks (one transaction each) like a busy history.
    const perChunk = 20_000;
    for (let s = 0; s < events / 5; s += perChunk) await bare.query(GENERATE_SQL, [s, Math.min(s + perChunk, events / 5) - 1]);
    await bare.query('vacuum analyze events');
    const genS = ((Date.now() - t0) / 1000).toFixed(1);
    process.stdout.write(`generated ${events} events in ${genS} s\n`);

    db = new Database({ appUrl: target.appUrl, adminUrl: target.adminUrl }, 4);
    const handler = new ListEventsHandler(new EventStore(db));
    const deep = (await bare.query<{ x: string; p: string }>(
      `select transaction_id::text as x, global_position::text as p from events order by transaction_id, global_position offset $1 limit 1`,
      [Math.floor(events * 0.9)],
    )).rows[0];
    const { lastChunkAt, firstAt } = (await bare.query<{ lastChunkAt: Date; firstAt: Date }>('select max(recorded_at) as "lastChunkAt", min(recorded_at) as "firstAt" from events')).rows[0];

    const cases: { name: string; fn: () => Promise<unknown>; gated?: boolean }[] = [
      { name: 'bare SQL: first 50 rows in commit order (floor)', fn: () => bare!.query(`select * from events order by transaction_id, global_position limit ${PAGE}`) },
      { name: 'explorer first page, admin, no filter', fn: () => explorerPage(handler, {}), gated: true },
      { name: 'explorer first page, admin, namespace filter', fn: () => explorerPage(handler, { namespace: 'ns-3' }), gated: true },
      { name: 'explorer first page, member (RLS, own namespace)', fn: () => explorerPage(handler, {}, 'ns-3'), gated: true },
      { name: 'explorer first page, actor filter', fn: () => explorerPage(handler, { actor: 'bench-key' }), gated: true },
      { name: 'explorer page at 90% depth (cursor)', fn: () => explorerPage(handler, { after: `${deep.x}:${deep.p}` }), gated: true },
      { name: 'type filter, type only in the last 20% (reference)', fn: () => explorerPage(handler, { type: 'sandbox_stopped' }) },
      { name: 'explorer first page, time range: the newest 10%', fn: () => explorerPage(handler, { from: lastChunkAt }), gated: true },
      { name: 'explorer first page, time range: the whole log', fn: () => explorerPage(handler, { from: firstAt, to: lastChunkAt }), gated: true },
    ];
    const rows: string[][] = [];
    const gatedP95: number[] = [];
    for (const c of cases) {
      const ms = await timed(rounds, c.fn);
      const p95 = percentile(ms, 95);
      if (c.gated) gatedP95.push(p95);
      rows.push([c.name, median(ms).toFixed(1), p95.toFixed(1), Math.max(...ms).toFixed(1), c.gated ? (p95 < TARGET_MS ? 'met' : 'MISSED') : '–']);
      process.stdout.write(`${c.name}: p50 ${median(ms).toFixed(1)} ms, p95 ${p95.toFixed(1)} ms\n`);
    }
    const worst = Math.max(...gatedP95);
    const loadAfter = machineFacts().loadAverage;
    await reportResult('console', {
      description: [
        ...environmentLines(machine, server, loadAfter),
        `- Workload: ${events.toLocaleString('en-US')} generated events (10 namespaces, 5 per stream, ${events / 5 / perChunk} transactions; generated in ${genS} s), then ${rounds} timed requests per row after 3 warm-up ones.`,
        `- Server time of one event-explorer request: the query handler behind \`GET /api/v1/admin/events\` / \`GET /api/v1/events\` (page of ${PAGE}, as the console asks), the DTO mapping and the JSON body; HTTP framing and the key lookup are the http benchmark's subject. The floor is the bare SQL on a superuser connection.`,
      ],
      table: markdownTable(['request', 'p50 ms', 'p95 ms', 'max ms', `p95 < ${TARGET_MS} ms`], rows),
      verdict:
        `Explorer first page over ${events.toLocaleString('en-US')} events: worst p95 of the gated rows **${worst.toFixed(1)} ms** (target < ${TARGET_MS} ms: ${worst < TARGET_MS ? 'met' : 'missed'}). ` +
        'The reference row is a filter whose matches all sit at the far end of the commit order: it scans until the page fills, and is not gated.',
      write: !values['no-write'],
    });
  } finally {
    await bare?.end();
    await db?.close();
    await server.stop();
  }
}

export const benchmark: Benchmark = {
  description: "event explorer's first page (and a deep page) over a 1,000,000-event log, server time vs the bare SQL floor",
  run,
};
