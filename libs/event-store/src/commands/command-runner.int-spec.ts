import { Logger } from '@nestjs/common';
import type { EventBus } from '@nestjs/cqrs';
import { CommandMeta, Decider } from '@cave/kernel';
import { createTestDatabase, TestDatabase } from '@cave/testing';
import { ConcurrencyError } from '../store/concurrency.errors';
import { EventStore } from '../store/event-store';
import { RecordedEvent } from '../store/event.types';
import { CommandRunner, CommandStream } from './command-runner';
import { EventCommitted } from './event-committed.notification';

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
    // Adding nothing is a decision to do nothing.
    return c.n === 0 ? [] : [{ type: 'added', data: { n: c.n } }];
  },
  evolve: (s, e) => (e.type === 'opened' ? { ...s, open: true } : { ...s, total: s.total + e.data.n }),
};
const stream: CommandStream<Cmd, State, Ev> = { decider: counter, streamType: 'counter', toEvent: (e: RecordedEvent) => ({ type: e.type, data: e.data }) as Ev };

describe('CommandRunner (real Postgres)', () => {
  let t: TestDatabase;
  let store: EventStore;
  let runner: CommandRunner;
  const published: EventCommitted[] = [];
  const meta: CommandMeta = { namespace: 'ns', actor: 'key-1', role: 'member', correlationId: 'req-1', channel: 'http' };
  beforeAll(async () => {
    Logger.overrideLogger(false);
    t = await createTestDatabase();
    store = new EventStore(t.db);
    runner = new CommandRunner(t.db, store, { publish: (e: EventCommitted) => published.push(e) } as unknown as EventBus);
  });
  afterAll(() => t.drop());

  it('loads, decides and appends with the folded version; a stale expected version fails', async () => {
    await runner.run(stream, { streamId: 'c-1', command: { type: 'open' }, meta });
    const r = await runner.run(stream, { streamId: 'c-1', command: { type: 'add', n: 2 }, expectedVersion: 1, meta });
    expect(r.state).toEqual({ open: true, total: 2 });
    expect(r.append!.nextExpectedVersion).toBe(2);
    await expect(runner.run(stream, { streamId: 'c-1', command: { type: 'add', n: 1 }, expectedVersion: 1, meta })).rejects.toBeInstanceOf(ConcurrencyError);
  });

  it('on a stream the namespace cannot see, the decider answers before any version check', async () => {
    await expect(runner.run(stream, { streamId: 'c-1', command: { type: 'add', n: 1 }, expectedVersion: 2, meta: { ...meta, namespace: 'other' } })).rejects.toBeInstanceOf(NotOpen);
  });

  it('an idempotent retry returns the earlier state and appends nothing', async () => {
    await runner.run(stream, { streamId: 'c-2', command: { type: 'open' }, meta });
    const first = await runner.run(stream, { streamId: 'c-2', command: { type: 'add', n: 5 }, meta: { ...meta, idempotencyKey: 'k' } });
    await runner.run(stream, { streamId: 'c-2', command: { type: 'add', n: 1 }, meta });
    const again = await runner.run(stream, { streamId: 'c-2', command: { type: 'add', n: 5 }, meta: { ...meta, idempotencyKey: 'k' } });
    expect(again).toEqual({ state: { open: true, total: 5 }, events: [], append: { ...first.append, replayed: true } });
    expect(await store.streamVersion('c-2', 'ns')).toBe(3);
  });

  it('newStream skips the read but still refuses an existing stream and replays an idempotent retry', async () => {
    const keyed = { ...meta, idempotencyKey: 'open-1' };
    const r = await runner.run(stream, { streamId: 'c-3', command: { type: 'open' }, newStream: true, meta: keyed });
    expect(r.events).toHaveLength(1);
    const replay = await runner.run(stream, { streamId: 'c-3', command: { type: 'open' }, newStream: true, meta: keyed });
    expect(replay).toMatchObject({ state: { open: true, total: 0 }, events: [], append: { replayed: true, nextExpectedVersion: 1 } });
    await expect(runner.run(stream, { streamId: 'c-3', command: { type: 'open' }, newStream: true, meta })).rejects.toBeInstanceOf(ConcurrencyError);
    expect(await store.streamVersion('c-3', 'ns')).toBe(1);
  });

  it("with a caller's client everything is the caller's transaction: a rollback leaves no event and notifies nothing", async () => {
    await expect(
      t.db.tenant('ns', async (client) => {
        await runner.run(stream, { streamId: 'c-4', command: { type: 'open' }, meta, client });
        const seen = await store.readStream('c-4', { namespace: 'ns', client });
        expect(seen).toHaveLength(1);
        throw new Error('projection failed');
      }),
    ).rejects.toThrow('projection failed');
    expect(await store.streamVersion('c-4', 'ns')).toBe(0);
    expect(published.some((p) => p.streamId === 'c-4')).toBe(false);
  });

  it('publishes one EventCommitted per event after the commit, with its version, position and metadata', async () => {
    const r = await runner.run(stream, { streamId: 'c-5', command: { type: 'open' }, meta });
    expect(published.filter((p) => p.streamId === 'c-5')).toEqual([
      new EventCommitted('ns', 'counter', 'c-5', { type: 'opened', data: {} }, 1, r.append!.globalPositions[0], meta),
    ]);
    const [event] = await store.readStream('c-5', { namespace: 'ns' });
    expect(event.metadata).toEqual({ actor: 'key-1', correlationId: 'req-1', channel: 'http' });
  });

  it('a decision to do nothing appends nothing and notifies nothing', async () => {
    await runner.run(stream, { streamId: 'c-6', command: { type: 'open' }, meta });
    const r = await runner.run(stream, { streamId: 'c-6', command: { type: 'add', n: 0 }, meta });
    expect(r).toEqual({ state: { open: true, total: 0 }, events: [] });
    expect(await store.streamVersion('c-6', 'ns')).toBe(1);
    expect(published.filter((p) => p.streamId === 'c-6')).toHaveLength(1);
  });

  it('with retries a concurrent writer makes it read and decide again; without, the caller sees the conflict', async () => {
    await runner.run(stream, { streamId: 'c-7', command: { type: 'open' }, meta });
    const isolated = t.db.appends.stats.isolated;
    const racing = (retries: number) => Promise.allSettled(Array.from({ length: 6 }, () => runner.run(stream, { streamId: 'c-7', command: { type: 'add', n: 1 }, meta, retries })));
    const strict = await racing(0);
    const won = strict.filter((r) => r.status === 'fulfilled').length;
    expect(strict.filter((r) => r.status === 'rejected').every((r) => (r as PromiseRejectedResult).reason instanceof ConcurrencyError)).toBe(true);
    const patient = await racing(10);
    expect(patient.every((r) => r.status === 'fulfilled')).toBe(true);
    expect(await store.streamVersion('c-7', 'ns')).toBe(1 + won + 6);
    // Losing a race in a shared batch is not a tenant sending bad statements: it is not sent alone afterwards.
    expect(t.db.appends.stats.isolated).toBe(isolated);
  });

  it('a tenant command on an existing stream is two round trips and no transaction: the read, then the append', async () => {
    await runner.run(stream, { streamId: 'c-9', command: { type: 'open' }, meta });
    const tenant = jest.spyOn(t.db, 'tenant');
    const reads = t.db.reads.stats.statements;
    const appends = t.db.appends.stats.statements;
    try {
      const r = await runner.run(stream, { streamId: 'c-9', command: { type: 'add', n: 3 }, meta });
      expect(r.state).toEqual({ open: true, total: 3 });
      expect(tenant).not.toHaveBeenCalled();
      expect(t.db.reads.stats.statements - reads).toBe(1);
      expect(t.db.appends.stats.statements - appends).toBe(1);
    } finally {
      tenant.mockRestore();
    }
  });

  it('an admin transaction writes as cave_admin into the named namespace', async () => {
    await runner.run(stream, { streamId: 'c-8', command: { type: 'open' }, meta, namespace: 'tenant-b', transaction: 'admin' });
    expect(await store.streamVersion('c-8', 'tenant-b')).toBe(1);
    expect(await store.streamVersion('c-8', 'ns')).toBe(0);
  });
});
