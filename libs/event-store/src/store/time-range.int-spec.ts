import { Client } from 'pg';
import { createTestDatabase, TestDatabase } from '@cave/testing';
import { EventStore, ReadAllFilter } from './event-store';

/**
 * Time-range reads take one of two plans (a bounded walk in commit order, or the recorded_at index when the
 * range starts far from the cursor); both must give exactly what a naive filter over the whole log gives.
 */
describe('EventStore.readAll with a recorded_at range (real Postgres)', () => {
  let t: TestDatabase;
  let store: EventStore;
  let owner: Client;

  beforeAll(async () => {
    t = await createTestDatabase();
    store = new EventStore(t.db);
    owner = new Client({ connectionString: t.ownerUrl });
    await owner.connect();
    // 3,000 old events (more than the commit-order walk looks at), then 70 recent ones, with chosen times.
    const insert = (ns: string, n: number, start: string) =>
      owner.query(
        `insert into events (event_id, namespace, stream_type, stream_id, stream_version, event_type, data, metadata, recorded_at)
         select gen_random_uuid(), $1, 'tick', $1 || '-' || $3 || '-' || i, 1, 'tick', '{}', '{}', $3::timestamptz + i * interval '1 ms'
         from generate_series(0, $2 - 1) i`,
        [ns, n, start],
      );
    await insert('tr', 3000, '2026-01-01T00:00:00Z');
    await insert('tr-other', 500, '2026-03-01T00:00:00Z');
    await insert('tr', 70, '2026-06-01T00:00:00Z');
    // A late transaction whose events carry old times (it started long ago): matches at both ends of the log.
    await insert('tr', 10, '2026-01-01T00:00:00.500Z');
  });
  afterAll(async () => {
    await owner.end();
    await t.drop();
  });

  const naive = async (from?: string, to?: string, namespace?: string): Promise<number[]> =>
    (
      await owner.query<{ p: string }>(
        `select global_position as p from events where ($1::timestamptz is null or recorded_at >= $1) and ($2::timestamptz is null or recorded_at <= $2)
           and ($3::text is null or namespace = $3) order by transaction_id, global_position`,
        [from ?? null, to ?? null, namespace ?? null],
      )
    ).rows.map((r) => Number(r.p));

  const paged = async (filter: ReadAllFilter, limit: number): Promise<number[]> => {
    const seen: number[] = [];
    const sizes: number[] = [];
    for (let after: string | number = 0; ; ) {
      const page = await store.readAll({ after, limit, filter });
      if (page.events.length === 0) break;
      sizes.push(page.events.length);
      seen.push(...page.events.map((e) => e.globalPosition));
      after = page.cursor;
    }
    // Full pages until the last one: a client sees no gaps and wastes no round trips.
    expect(sizes.slice(0, -1).every((n) => n === limit)).toBe(true);
    return seen;
  };

  it.each([
    ['a range far from the start (index plan)', '2026-06-01T00:00:00Z', undefined, undefined],
    ['the whole log (commit-order walk)', '2025-12-31T00:00:00Z', '2026-12-31T00:00:00Z', undefined],
    ['only an upper bound', undefined, '2026-01-01T00:00:01Z', undefined],
    ['a range and a namespace', '2026-01-01T00:00:02.500Z', undefined, 'tr'],
    ['a range that matches nothing', '2027-01-01T00:00:00Z', undefined, undefined],
    ['a range matching both ends of the log', '2026-01-01T00:00:00.400Z', '2026-01-01T00:00:00.600Z', undefined],
  ])('%s: pages give exactly the naive answer', async (_name, from, to, namespace) => {
    const expected = await naive(from, to, namespace);
    const filter: ReadAllFilter = { namespace, recordedFrom: from ? new Date(from) : undefined, recordedTo: to ? new Date(to) : undefined };
    expect(await paged(filter, 50)).toEqual(expected);
    expect(await paged(filter, 1000)).toEqual(expected);
  });
});
