import { createTestDatabase, TestDatabase, waitFor } from '@cave/testing';
import { EventStore } from './event-store';

/**
 * A follower reading readAll from its cursor must see every event exactly once even when a
 * transaction that took a lower global_position commits after one with a higher position.
 */
describe('readAll gap safety under concurrent writers', () => {
  let t: TestDatabase;
  let store: EventStore;
  beforeAll(async () => {
    t = await createTestDatabase();
    store = new EventStore(t.db);
  });
  afterAll(() => t.drop());

  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  /** Appends inside an explicit transaction and keeps it open for `holdMs` before committing. */
  const slowAppend = (stream: string, holdMs: number) =>
    t.db.tenant('gaps', async (client) => {
      const r = await store.append(stream, 'any', [{ type: 'tick', data: { stream } }], {
        namespace: 'gaps',
        streamType: 'tick',
        client,
      });
      await sleep(holdMs);
      return r.globalPositions[0];
    });

  it('never skips a late-committing lower position, never delivers twice', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    let writersDone = false;
    let sawOutOfOrderCommit = false;
    let polls = 0;

    const follower = (async () => {
      for (;;) {
        const done = writersDone;
        const page = await store.readAll({ after: cursor, limit: 50 });
        polls++;
        for (const e of page.events) seen.push(e.eventId);
        cursor = page.cursor;
        if (done && page.events.length === 0) return;
        if (page.events.length === 0) await sleep(2);
      }
    })();

    // The deliberate case: A takes a position and stays open; B takes a later one and commits first;
    // the follower polls several times while A is still open. Sequenced by signals, not by sleeps.
    let appendedA!: () => void;
    let releaseA!: () => void;
    const aAppended = new Promise<void>((r) => (appendedA = r));
    const aReleased = new Promise<void>((r) => (releaseA = r));
    const a = t.db.tenant('gaps', async (client) => {
      const r = await store.append('held', 'any', [{ type: 'tick', data: {} }], { namespace: 'gaps', streamType: 'tick', client });
      appendedA();
      await aReleased;
      return r.globalPositions[0];
    });
    await aAppended;
    const b = await slowAppend('fast', 0);
    const pollsBefore = polls;
    await waitFor(() => (polls >= pollsBefore + 3 ? true : undefined), 10_000, 'follower polls while A is open');
    releaseA();
    const aPos = await a;
    sawOutOfOrderCommit = aPos < b;

    // Many concurrent writers, some holding their transaction open for a random while.
    const writers = Array.from({ length: 12 }, async (_, w) => {
      for (let i = 0; i < 25; i++) {
        const hold = w % 3 === 0 ? Math.floor(Math.random() * 40) : 0;
        await slowAppend(`w${w}-${i % 5}`, hold);
      }
    });
    await Promise.all(writers);
    writersDone = true;
    await follower;

    const { rows } = await t.db.asAdmin((c) => c.query<{ event_id: string }>('select event_id from events'));
    expect(sawOutOfOrderCommit).toBe(true);
    expect(seen).toHaveLength(rows.length);
    expect(new Set(seen).size).toBe(seen.length);
    expect(new Set(seen)).toEqual(new Set(rows.map((r) => r.event_id)));
  }, 60_000);
});
