import { createTestDatabase, TestDatabase } from '@cave/testing';
import { ConcurrencyError } from '../store/concurrency.error';
import { EventStore } from '../store/event-store';
import { RecordedEvent } from '../store/event.types';
import { runCommand } from './command-runner';
import { Decider } from './decider';

type Cmd = { type: 'open' } | { type: 'add'; n: number };
type Ev = { type: 'opened'; data: Record<string, never> } | { type: 'added'; data: { n: number } };
type State = { open: boolean; total: number };
class NotOpen extends Error {}

const counter: Decider<Cmd, State, Ev> = {
  initialState: { open: false, total: 0 },
  decide: (c, s) => {
    if (c.type === 'open') {
      if (s.open) throw new Error('already open');
      return [{ type: 'opened', data: {} }];
    }
    if (!s.open) throw new NotOpen();
    return [{ type: 'added', data: { n: c.n } }];
  },
  evolve: (s, e) => (e.type === 'opened' ? { ...s, open: true } : { ...s, total: s.total + e.data.n }),
};
const toDomain = (e: RecordedEvent) => ({ type: e.type, data: e.data }) as Ev;

describe('runCommand (real Postgres)', () => {
  let t: TestDatabase;
  let store: EventStore;
  const append = { namespace: 'ns', streamType: 'counter' };
  beforeAll(async () => {
    t = await createTestDatabase();
    store = new EventStore(t.db);
  });
  afterAll(() => t.drop());

  it('loads, decides and appends with the folded version; a stale expected version fails', async () => {
    await runCommand(store, counter, { streamId: 'c-1', command: { type: 'open' }, append }, toDomain);
    const r = await runCommand(store, counter, { streamId: 'c-1', command: { type: 'add', n: 2 }, expectedVersion: 1, append }, toDomain);
    expect(r.state).toEqual({ open: true, total: 2 });
    expect(r.append.nextExpectedVersion).toBe(2);
    await expect(runCommand(store, counter, { streamId: 'c-1', command: { type: 'add', n: 1 }, expectedVersion: 1, append }, toDomain)).rejects.toBeInstanceOf(ConcurrencyError);
  });

  it('on a stream the namespace cannot see, the decider answers before any version check', async () => {
    await expect(
      runCommand(store, counter, { streamId: 'c-1', command: { type: 'add', n: 1 }, expectedVersion: 2, append: { ...append, namespace: 'other' } }, toDomain),
    ).rejects.toBeInstanceOf(NotOpen);
  });

  it('an idempotent retry returns the earlier state and appends nothing', async () => {
    await runCommand(store, counter, { streamId: 'c-2', command: { type: 'open' }, append }, toDomain);
    const first = await runCommand(store, counter, { streamId: 'c-2', command: { type: 'add', n: 5 }, append: { ...append, idempotencyKey: 'k' } }, toDomain);
    await runCommand(store, counter, { streamId: 'c-2', command: { type: 'add', n: 1 }, append }, toDomain);
    const again = await runCommand(store, counter, { streamId: 'c-2', command: { type: 'add', n: 5 }, append: { ...append, idempotencyKey: 'k' } }, toDomain);
    expect(again).toEqual({ state: { open: true, total: 5 }, events: [], append: { ...first.append, replayed: true } });
    expect(await store.streamVersion('c-2', 'ns')).toBe(3);
  });

  it('newStream skips the read but still refuses an existing stream and replays an idempotent retry', async () => {
    const r = await runCommand(store, counter, { streamId: 'c-3', command: { type: 'open' }, newStream: true, append: { ...append, idempotencyKey: 'open-1' } }, toDomain);
    expect(r.events).toHaveLength(1);
    const replay = await runCommand(store, counter, { streamId: 'c-3', command: { type: 'open' }, newStream: true, append: { ...append, idempotencyKey: 'open-1' } }, toDomain);
    expect(replay).toMatchObject({ state: { open: true, total: 0 }, events: [], append: { replayed: true, nextExpectedVersion: 1 } });
    await expect(runCommand(store, counter, { streamId: 'c-3', command: { type: 'open' }, newStream: true, append }, toDomain)).rejects.toBeInstanceOf(ConcurrencyError);
    expect(await store.streamVersion('c-3', 'ns')).toBe(1);
  });

  it("with append.client everything is the caller's transaction: a rollback leaves no event", async () => {
    await expect(
      t.db.tenant('ns', async (client) => {
        await runCommand(store, counter, { streamId: 'c-4', command: { type: 'open' }, append: { ...append, client } }, toDomain);
        const seen = await store.readStream('c-4', { namespace: 'ns', client });
        expect(seen).toHaveLength(1);
        throw new Error('projection failed');
      }),
    ).rejects.toThrow('projection failed');
    expect(await store.streamVersion('c-4', 'ns')).toBe(0);
  });
});
