import { Registry } from 'prom-client';
import { EventStore } from '@cave/event-store';
import { createTestDatabase, TestDatabase, waitFor } from '@cave/testing';
import { ProjectionAdminService } from '../admin/projection-admin.service';
import { ProjectionNotFailedError, SkipPositionMismatchError } from '../admin/projection.errors';
import { ProjectionView } from '../admin/projection.view';
import { createReadModelTable, tallyProjection } from '../../test/projection.fixture';
import { ProjectionMetrics } from './projection.metrics';
import { ProjectionRegistry } from './projection.registry';
import { ProjectionRuntime } from './projection.runtime';

jest.setTimeout(60_000);

describe('poison events and rebuilds (real Postgres)', () => {
  let t: TestDatabase;
  let store: EventStore;
  const runtimes: ProjectionRuntime[] = [];

  beforeAll(async () => {
    t = await createTestDatabase();
    store = new EventStore(t.db);
  });
  afterAll(async () => {
    await Promise.all(runtimes.map((r) => r.stop()));
    await t.drop();
  });

  const start = async (registry: ProjectionRegistry, metrics?: ProjectionMetrics) => {
    const r = new ProjectionRuntime(t.db, store, registry, { pollMs: 200, leaderRetryMs: 200, metrics });
    runtimes.push(r);
    await r.start();
    return r;
  };
  const tick = (stream: string, data: Record<string, unknown>, namespace = 'alpha') =>
    store.append(stream, 'any', [{ type: 'tick', data }], { namespace, streamType: 'tick' });
  const positionsIn = async (table: string) =>
    (await t.db.admin.query<{ p: string }>(`select unnest(positions) as p from ${table} order by 1`)).rows.map((r) => Number(r.p));
  const tickPositions = async () =>
    (await t.db.admin.query<{ p: string }>(`select global_position as p from events where event_type = 'tick' order by 1`)).rows.map((r) => Number(r.p));

  it('stops visibly at a poison event; retry re-attempts it, skip steps over it; both are recorded', async () => {
    await createReadModelTable(t.ownerUrl, 'tally_poison');
    let fixed = false;
    const registry = new ProjectionRegistry().register(
      tallyProjection({
        name: 'poison',
        table: 'tally_poison',
        batchSize: 8,
        before: (e) => {
          if ((e.data as { poison?: boolean }).poison && !fixed) throw new Error('cannot handle a poisoned payload');
        },
      }),
    );
    const admin = new ProjectionAdminService(t.db, store, registry);
    const metrics = new ProjectionMetrics(new Registry());
    for (let i = 0; i < 5; i++) await tick('p-1', { n: i });
    const bad = (await tick('p-2', { poison: true })).globalPositions[0];
    for (let i = 0; i < 5; i++) await tick('p-1', { n: i });
    await start(registry, metrics);

    const failed = await waitFor(async () => {
      const v = await admin.get('poison');
      return v.status === 'failed' ? v : undefined;
    }, 10_000, 'failed status');
    expect(failed.failure).toMatchObject({ globalPosition: bad, eventType: 'tick', message: expect.stringContaining('cannot handle a poisoned payload') });
    expect(failed.position).toBe(bad - 1); // everything before the culprit is committed, nothing after it
    expect(await positionsIn('tally_poison')).toEqual((await tickPositions()).filter((p) => p < bad));
    expect((await metrics.errors.get()).values.find((v) => v.labels.kind === 'poison')?.value).toBe(1);
    await expect(admin.skip('poison', 'key-admin', bad + 1)).rejects.toBeInstanceOf(SkipPositionMismatchError);

    // Retry while still broken: it fails again at the same event.
    const firstFailure = failed.failure!.at!.getTime();
    await admin.retry('poison', 'key-admin');
    await waitFor(async () => {
      const v = await admin.get('poison');
      return v.status === 'failed' && v.failure!.at!.getTime() > firstFailure ? v : undefined;
    }, 10_000, 'second failure');

    // Fixed (say, a deploy): retry applies the event and catches up.
    fixed = true;
    await admin.retry('poison', 'key-admin');
    await waitFor(async () => ((await positionsIn('tally_poison')).length === (await tickPositions()).length ? true : undefined), 10_000, 'catch-up after retry');
    await expect(admin.retry('poison', 'key-admin')).rejects.toBeInstanceOf(ProjectionNotFailedError);

    // A second poison event is skipped: no effect for it, everything after it applied.
    fixed = false;
    const bad2 = (await tick('p-3', { poison: true })).globalPositions[0];
    const after = (await tick('p-1', { n: 99 })).globalPositions[0];
    await waitFor(async () => ((await admin.get('poison')).status === 'failed' ? true : undefined), 10_000, 'failed again');
    await admin.skip('poison', 'key-admin', bad2);
    await waitFor(async () => ((await positionsIn('tally_poison')).includes(after) ? true : undefined), 10_000, 'after skip');
    expect(await positionsIn('tally_poison')).toEqual((await tickPositions()).filter((p) => p !== bad2));

    const decisions = await store.readStream('projection-poison', { namespace: 'system' });
    expect(decisions.map((e) => [e.type, e.metadata.actor])).toEqual([
      ['projection_retried', 'key-admin'],
      ['projection_retried', 'key-admin'],
      ['projection_event_skipped', 'key-admin'],
    ]);
    expect(decisions[2].data).toMatchObject({ projection: 'poison', globalPosition: bad2, error: expect.stringContaining('poisoned') });
  });

  it('rebuilds into a shadow under concurrent writes, serving the live table, and ends identical to a fresh build', async () => {
    await createReadModelTable(t.ownerUrl, 'tally_rb');
    // The live code chokes on a poison event written during the rebuild; the rebuilt code (think: the
    // fix being deployed) does not. The live checkpoint stays behind the shadow's, so the swap must
    // adopt the shadow's cursor, and the swap also heals the failed projector.
    const registry = new ProjectionRegistry().register(
      tallyProjection({
        name: 'rb',
        table: 'tally_rb',
        batchSize: 100,
        before: (e, ctx) => {
          if ((e.data as { rbPoison?: boolean }).rbPoison && !ctx.rebuilding) throw new Error('old code cannot handle this');
        },
      }),
    );
    const admin = new ProjectionAdminService(t.db, store, registry);
    for (let i = 0; i < 400; i++) await tick(`r-${i % 9}`, { n: i }, i % 3 === 0 ? 'beta' : 'alpha');
    await start(registry);
    await waitFor(async () => ((await admin.get('rb')).lagEvents === 0 ? true : undefined), 10_000, 'initial catch-up');

    let writing = true;
    const writers = Array.from({ length: 3 }, (_, w) =>
      (async () => {
        // Bounded so a slow shared CI machine still lets the projector overtake the writers.
        for (let i = 0; writing && i < 300; i++) {
          await tick(`r-w${w}-${i % 4}`, { n: i * (w + 1), ...(w === 1 && i === 20 && { rbPoison: true }) }, w === 0 ? 'beta' : 'alpha');
        }
      })(),
    );
    const requested = await admin.rebuild('rb', 'key-admin');
    expect(requested.rebuild?.status).toMatch(/requested|running/);
    expect((await admin.rebuild('rb', 'key-admin')).rebuild?.status).toMatch(/requested|running/); // idempotent

    const seen: ProjectionView[] = [];
    let minLiveRows = Infinity;
    await waitFor(async () => {
      const v = await admin.get('rb');
      seen.push(v);
      // The live table keeps serving tenant reads throughout.
      const live = await t.db.tenant('alpha', (c) => c.query<{ n: number }>('select count(*)::int as n from tally_rb'));
      minLiveRows = Math.min(minLiveRows, live.rows[0].n);
      return v.rebuild?.status === 'done' ? v : undefined;
    }, 30_000, 'rebuild done').catch((e) => {
      throw new Error(`${(e as Error).message}; last view ${JSON.stringify(seen[seen.length - 1])}`);
    });
    writing = false;
    await Promise.all(writers);
    const shadowOvertookLive = seen.some((v) => v.status === 'failed' && v.rebuild?.status === 'running' && (v.rebuild.position ?? 0) > v.position);

    expect(shadowOvertookLive).toBe(true);
    expect((await admin.get('rb')).status).toBe('running');
    expect(minLiveRows).toBeGreaterThan(0);
    expect(seen.some((v) => v.rebuild?.status === 'running' && (v.rebuild.position ?? 0) > 0 && (v.rebuild.eventsPerSecond ?? 0) > 0)).toBe(true);
    await waitFor(async () => ((await admin.get('rb')).lagEvents === 0 ? true : undefined), 10_000, 'live catch-up after swap');

    // A fresh projection over the same log, started after the writes stopped.
    await createReadModelTable(t.ownerUrl, 'tally_scratch');
    const scratchRegistry = new ProjectionRegistry().register(tallyProjection({ name: 'scratch', table: 'tally_scratch', batchSize: 200 }));
    await start(scratchRegistry);
    const scratchAdmin = new ProjectionAdminService(t.db, store, scratchRegistry);
    await waitFor(async () => ((await scratchAdmin.get('scratch')).lagEvents === 0 ? true : undefined), 10_000, 'scratch build');
    const dump = async (table: string) => (await t.db.admin.query(`select * from ${table} order by stream_id`)).rows;
    const rebuilt = await dump('tally_rb');
    expect(rebuilt).toEqual(await dump('tally_scratch'));
    expect(rebuilt.flatMap((r) => r.positions.map(Number)).sort((a: number, b: number) => a - b)).toEqual(await tickPositions());

    // The swapped-in table carries the live table's policies, grants and index names.
    const beta = await t.db.tenant('beta', (c) => c.query<{ namespace: string }>('select distinct namespace from tally_rb'));
    expect(beta.rows).toEqual([{ namespace: 'beta' }]);
    const idx = await t.db.admin.query<{ indexname: string }>(`select indexname from pg_indexes where tablename = 'tally_rb' order by 1`);
    expect(idx.rows.map((r) => r.indexname)).toEqual(['tally_rb_namespace', 'tally_rb_pkey']);
    expect((await t.db.admin.query(`select to_regclass('tally_rb__shadow') as t`)).rows[0].t).toBeNull();
    expect((await store.readStream('projection-rb', { namespace: 'system' })).map((e) => e.type)).toEqual(['projection_rebuild_requested']);
  });
});
