import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Database, EventStore, provisionRoleLogins, roleUrl, runMigrations, startEmbeddedPostgres } from '@cave/event-store';
import { Projection, ProjectionAdminService, ProjectionRegistry, ProjectionRuntime } from '@cave/projections';
import { dropDatabase, withClient, withDatabase } from '@cave/testing';
import { createTableSql, foldBatch, GENERATE_SQL, MiniEvent, upsertDeltas } from './replay/sandbox-model';
import { MIGRATIONS } from '@cave/migrations';

const BATCH = 5000;

function parseArgs(argv: string[]): { events: number } {
  const i = argv.indexOf('--events');
  const events = i >= 0 ? Number(argv[i + 1]) : 1_000_000;
  if (!Number.isInteger(events) || events < 5 || events % 5 !== 0) throw new Error('--events must be a positive multiple of 5');
  return { events };
}

const rate = (n: number, ms: number) => Math.round(n / (ms / 1000));

/** The ceiling: read in global order, fold in memory, one set-based upsert per batch. Nothing else. */
async function bareLoop(adminUrl: string, table: string): Promise<number> {
  return withClient(adminUrl, async (c) => {
    let after = 0;
    let n = 0;
    for (;;) {
      const { rows } = await c.query<{ p: string; stream_id: string; namespace: string; event_type: string; stream_version: number; data: unknown }>(
        `select global_position as p, stream_id, namespace, event_type, stream_version, data from events
         where global_position > $1 and stream_type = 'sandbox' order by global_position limit $2`,
        [after, BATCH],
      );
      if (rows.length === 0) return n;
      const events: MiniEvent[] = rows.map((r) => ({ streamId: r.stream_id, namespace: r.namespace, type: r.event_type, version: r.stream_version, position: Number(r.p), data: r.data }));
      await upsertDeltas(c, table, foldBatch(events));
      after = events[events.length - 1].position;
      n += rows.length;
    }
  });
}

function sandboxProjection(): Projection {
  return {
    name: 'bench-sandboxes',
    version: 1,
    tables: ['bench_sandboxes'],
    eventTypes: ['sandbox_created', 'sandbox_started', 'sandbox_exec', 'sandbox_stopped', 'sandbox_deleted'],
    batchSize: BATCH,
    async handle(events, client, ctx) {
      const mini = events.map((e) => ({ streamId: e.streamId, namespace: e.namespace, type: e.type, version: e.streamVersion, position: e.globalPosition, data: e.data }));
      await upsertDeltas(client, ctx.table('bench_sandboxes'), foldBatch(mini));
    },
  };
}

async function until(probe: () => Promise<boolean>): Promise<void> {
  while (!(await probe())) await new Promise((r) => setTimeout(r, 25));
}

async function run(argv: string[]): Promise<void> {
  const { events } = parseArgs(argv);
  let serverUrl = process.env.CAVE_BENCH_DATABASE_URL;
  let stopServer = async () => undefined as void;
  if (!serverUrl) {
    const dir = mkdtempSync(join(tmpdir(), 'cave-bench-replay-'));
    chmodSync(dir, 0o755);
    const pg = await startEmbeddedPostgres({ dataDir: dir, log: () => undefined, settings: { shared_buffers: '256MB', max_wal_size: '4GB' } });
    serverUrl = pg.url;
    stopServer = async () => {
      await pg.stop();
      rmSync(dir, { recursive: true, force: true });
    };
  }
  const dbName = `cave_bench_replay_${Date.now().toString(36)}`;
  await withClient(serverUrl, (c) => c.query(`create database ${dbName}`));
  const ownerUrl = withDatabase(serverUrl, dbName);
  let db: Database | undefined;
  let runtime: ProjectionRuntime | undefined;
  try {
    await runMigrations(ownerUrl, MIGRATIONS);
    await provisionRoleLogins(ownerUrl);
    await withClient(ownerUrl, async (c) => {
      await c.query('set role cave_owner');
      for (const t of ['bench_sandboxes', 'bench_sandboxes_bare']) for (const sql of createTableSql(t)) await c.query(sql);
      await c.query(`insert into projection_read_models values ('bench_sandboxes')`);
      await c.query('reset role');
      const t0 = Date.now();
      const perChunk = 20_000;
      const sandboxes = events / 5;
      for (let s = 0; s < sandboxes; s += perChunk) await c.query(GENERATE_SQL, [s, Math.min(s + perChunk, sandboxes) - 1]);
      await c.query('vacuum analyze events');
      process.stdout.write(`generated ${events} events in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
    });
    const adminUrl = roleUrl(ownerUrl, 'cave_admin');
    db = new Database({ appUrl: roleUrl(ownerUrl, 'cave_app'), adminUrl }, 8);
    const store = new EventStore(db);
    const registry = new ProjectionRegistry().register(sandboxProjection());
    const admin = new ProjectionAdminService(db, store, registry);
    const checkpoint = async () => (await db!.admin.query(`select position, rebuild_status from projection_checkpoints where name = 'bench-sandboxes'`)).rows[0];
    const head = Number((await db.admin.query('select max(global_position) as m from events')).rows[0].m);

    // The ceiling is measured before and after the runtime and the faster run is kept: on a shared
    // machine this makes the ratio conservative rather than flattering.
    const timeBare = async () => {
      await db!.admin.query('delete from bench_sandboxes_bare');
      const t0 = Date.now();
      const n = await bareLoop(adminUrl, 'bench_sandboxes_bare');
      return { n, ms: Date.now() - t0 };
    };
    const bareRuns = [await timeBare()];

    let t = Date.now();
    runtime = new ProjectionRuntime(db, store, registry, { pollMs: 1000 });
    await runtime.start();
    await until(async () => Number((await checkpoint())?.position ?? 0) >= head);
    const catchUpMs = Date.now() - t;

    t = Date.now();
    await admin.rebuild('bench-sandboxes', 'bench');
    await until(async () => (await checkpoint()).rebuild_status === 'done');
    const rebuildMs = Date.now() - t;
    await runtime.stop();
    runtime = undefined;
    bareRuns.push(await timeBare());
    const bareMs = Math.min(...bareRuns.map((r) => r.ms));
    const bareCount = bareRuns[0].n;

    const digest = (table: string) =>
      db!.admin.query(`select count(*)::int as n, md5(string_agg(concat_ws('|', sandbox_id, namespace, image, status, version, exec_count, last_exit_code, last_position), ',' order by sandbox_id)) as h from ${table}`);
    const [a, b] = [(await digest('bench_sandboxes')).rows[0], (await digest('bench_sandboxes_bare')).rows[0]];
    if (a.h !== b.h || a.n !== events / 5) throw new Error(`read models differ: runtime ${a.n}/${a.h}, bare ${b.n}/${b.h}`);

    const bare = rate(bareCount, bareMs);
    const rebuild = rate(events, rebuildMs);
    const catchUp = rate(events, catchUpMs);
    process.stdout.write(
      [
        `events:                 ${events} (${events / 5} sandboxes), batch ${BATCH}`,
        `bare loop (ceiling):    ${bare} events/s (best of ${bareRuns.map((r) => (r.ms / 1000).toFixed(1)).join(' s, ')} s)`,
        `runtime catch-up from 0:${String(catchUp).padStart(7)} events/s (${(catchUpMs / 1000).toFixed(1)} s)`,
        `runtime rebuild (shadow + swap): ${rebuild} events/s (${(rebuildMs / 1000).toFixed(1)} s)`,
        `ratio rebuild / bare:   ${(rebuild / bare).toFixed(2)}x (target >= 0.5x)`,
        `ratio catch-up / bare:  ${(catchUp / bare).toFixed(2)}x`,
        `read models identical:  yes (${a.n} rows, md5 ${a.h})`,
        '',
      ].join('\n'),
    );
  } finally {
    await runtime?.stop();
    await db?.close();
    await withClient(serverUrl, (c) => dropDatabase(c, dbName));
    await stopServer();
  }
}

export const benchmark = {
  description: 'rebuild of a sandbox read model from generated events through the projection runtime vs a bare fold-and-upsert loop',
  run,
};
