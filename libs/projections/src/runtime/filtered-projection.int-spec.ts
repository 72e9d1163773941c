import { EventStore } from '@cave/event-store';
import { createTestDatabase, TestDatabase, waitFor } from '@cave/testing';
import { createReadModelTable, tallyProjection } from '../../test/projection.fixture';
import { ProjectionRegistry } from './projection.registry';
import { ProjectionRuntime } from './projection.runtime';

jest.setTimeout(30_000);

/**
 * A projection that declares `eventTypes` reads only those rows (filtered in SQL), yet its checkpoint
 * moves over everything else, and a wanted event committing late behind a page boundary is applied.
 */
describe('a projection filtered by event type', () => {
  let t: TestDatabase;
  let store: EventStore;
  let runtime: ProjectionRuntime;
  beforeAll(async () => {
    t = await createTestDatabase();
    store = new EventStore(t.db);
    await createReadModelTable(t.ownerUrl, 'tally_filtered');
    // Pages of two ticks: every few events cross a page boundary.
    const registry = new ProjectionRegistry().register(tallyProjection({ name: 'filtered', table: 'tally_filtered', batchSize: 2 }));
    runtime = new ProjectionRuntime(t.db, store, registry, { pollMs: 50, leaderRetryMs: 100, batchWindowMs: 0 });
    await runtime.start();
  });
  afterAll(async () => {
    await runtime.stop();
    await t.drop();
  });

  const append = (stream: string, type: string, n = 1) => store.append(stream, 'any', [{ type, data: { n } }], { namespace: 'alpha', streamType: 'x' });
  const head = async () => Number((await t.db.admin.query<{ p: string }>('select max(global_position) as p from events')).rows[0].p);
  const checkpoint = async () => Number((await t.db.admin.query<{ p: string }>(`select position as p from projection_checkpoints where name = 'filtered'`)).rows[0]?.p ?? -1);
  const applied = async () =>
    (await t.db.admin.query<{ positions: string[] }>('select positions from tally_filtered')).rows.flatMap((r) => r.positions.map(Number)).sort((a, b) => a - b);
  const ticks = async () => (await t.db.admin.query<{ p: string }>(`select global_position as p from events where event_type = 'tick' order by 1`)).rows.map((r) => Number(r.p));

  it('advances its checkpoint to the head over events it does not read', async () => {
    for (let i = 0; i < 7; i++) {
      await append(`s-${i % 3}`, 'tick');
      await append(`noise-${i}`, 'noise');
      await append(`noise-${i}b`, 'noise');
    }
    const target = await head();
    await waitFor(async () => ((await checkpoint()) === target ? true : undefined), 10_000, 'checkpoint at the head, a noise event');
    expect(await applied()).toEqual(await ticks());
  });

  it('applies a wanted event that commits late, behind a full page, exactly once', async () => {
    let appended!: () => void;
    let release!: () => void;
    const held = new Promise<void>((r) => (appended = r));
    const released = new Promise<void>((r) => (release = r));
    // The late tick takes its position first and commits last.
    const late = t.db.tenant('alpha', async (client) => {
      await store.append('late', 'any', [{ type: 'tick', data: { n: 100 } }], { namespace: 'alpha', streamType: 'x', client });
      appended();
      await released;
    });
    await held;
    // Two full pages of ticks and noise commit meanwhile (higher positions, higher xids).
    for (let i = 0; i < 4; i++) {
      await append(`after-${i % 2}`, 'tick');
      await append(`after-noise-${i}`, 'noise');
    }
    // Polls and wake-ups run meanwhile; none may move past the open transaction.
    await new Promise((r) => setTimeout(r, 300));
    expect(await checkpoint()).toBeLessThan(await head());
    release();
    await late;
    const target = await head();
    await waitFor(async () => ((await checkpoint()) === target ? true : undefined), 10_000, 'checkpoint at the head');
    expect(await applied()).toEqual(await ticks());
  });
});
