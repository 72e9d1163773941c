import { encodeCursor, EventStore, ReadAllOptions, ReadAllResult, RecordedEvent, START } from '@cave/event-store';
import { SharedLog, SharedRead } from './shared-log';

/**
 * The shared read of the newest rows (issue 18): tracks a little behind the one that reads are served from
 * memory, across the windows read since, each row exactly once and in order; only a track behind the
 * retained stretch reads alone. A log in memory stands in for the table (`readAll` continues `after`).
 */
describe('SharedLog', () => {
  const log: RecordedEvent[] = [];
  let reads = 0;
  const cursorOf = (p: number) => encodeCursor({ transactionId: BigInt(100 + p), globalPosition: BigInt(p) });
  const append = (n: number, type = 'tick') => {
    for (let i = 0; i < n; i++) {
      const p = log.length + 1;
      log.push({ globalPosition: p, transactionId: String(100 + p), eventId: `e${p}`, namespace: 'alpha', streamType: 'x', streamId: 's', streamVersion: p, type, schemaVersion: 1, data: {}, metadata: {}, recordedAt: new Date(0), cursor: cursorOf(p) });
    }
  };
  const store = {
    readAll: async (opts: ReadAllOptions): Promise<ReadAllResult> => {
      reads++;
      const from = opts.after === undefined || opts.after === encodeCursor(START) ? 0 : Number(String(opts.after).split(':')[1]);
      const events = log.filter((e) => e.globalPosition > from).slice(0, opts.limit);
      return { events, cursor: events.length > 0 ? events[events.length - 1].cursor : String(opts.after) };
    },
    upcast: (e: RecordedEvent) => ({ ...e, upcast: true }),
  } as unknown as EventStore;
  const req = (after: string, limit = 100, types?: string[]): SharedRead => ({ after, limit, types: types && new Set(types), upcast: false });
  const positions = (page: { events: RecordedEvent[] } | undefined) => page?.events.map((e) => e.globalPosition);

  beforeEach(() => {
    log.length = 0;
    reads = 0;
  });

  it('serves a track that has not consumed an older window after the leader read newer ones (even empty ones)', async () => {
    const shared = new SharedLog(store);
    append(3);
    const leader1 = await shared.read(req(encodeCursor(START)));
    expect(positions(leader1)).toEqual([1, 2, 3]);
    // The leader asks again: nothing new. Then two more appends, which it reads.
    expect(positions(await shared.read(req(leader1!.cursor)))).toEqual([]);
    append(2);
    const leader2 = await shared.read(req(leader1!.cursor));
    expect(positions(leader2)).toEqual([4, 5]);
    expect(reads).toBe(3);

    // A second track, still at row 1: rows 2..5 from memory, across both windows, in one page.
    const follower = await shared.read(req(cursorOf(1)));
    expect(positions(follower)).toEqual([2, 3, 4, 5]);
    expect(follower!.cursor).toBe(leader2!.cursor);
    expect(reads).toBe(3);
  });

  it('cuts at the limit (full) and continues exactly behind it; filters by type but moves over the rest', async () => {
    const shared = new SharedLog(store);
    append(2);
    const first = await shared.read(req(encodeCursor(START)));
    append(1, 'noise');
    append(2);
    await shared.read(req(first!.cursor));
    const a = await shared.read(req(encodeCursor(START), 3));
    expect(positions(a)).toEqual([1, 2, 3]);
    expect(a!.full).toBe(true);
    const b = await shared.read(req(a!.cursor, 3));
    expect(positions(b)).toEqual([4, 5]);
    expect(b!.full).toBe(false);
    const ticks = await shared.read(req(cursorOf(1), 100, ['tick']));
    expect(positions(ticks)).toEqual([2, 4, 5]);
    expect(ticks!.cursor).toBe(cursorOf(5));
    expect(reads).toBe(2);
  });

  it('a track behind the retained stretch reads alone', async () => {
    const shared = new SharedLog(store);
    append(1500);
    const w1 = await shared.read(req(encodeCursor(START), 1000));
    const w2 = await shared.read(req(w1!.cursor, 1000));
    append(1500);
    await shared.read(req(w2!.cursor, 1000));
    // Three windows (1000 + 500 + 1000 rows) exceed the 2000 retained: the first is dropped.
    expect(await shared.read(req(cursorOf(10)))).toBeUndefined();
    expect(positions(await shared.read(req(cursorOf(1400), 3)))).toEqual([1401, 1402, 1403]);
  });
});
