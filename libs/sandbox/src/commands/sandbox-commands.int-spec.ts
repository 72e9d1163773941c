import { Logger } from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';
import { Client } from 'pg';
import { CommandRunner, ConcurrencyError, EventCommitted, EventStore } from '@cave/event-store';
import type { CommandMeta } from '@cave/kernel';
import { createTestDatabase, TestDatabase } from '@cave/testing';
import { InvalidSandboxTransitionError, SandboxNotFoundError } from '../domain/sandbox.errors';
import { sandboxStreamId } from '../contracts/sandbox.events';
import type { SandboxTransition } from '../domain/sandbox.lifecycle';
import { CreateSandboxCommand } from './create-sandbox/create-sandbox.command';
import { CreateSandboxHandler } from './create-sandbox/create-sandbox.handler';
import { TransitionSandboxCommand } from './transition-sandbox/transition-sandbox.command';
import { TransitionSandboxHandler } from './transition-sandbox/transition-sandbox.handler';

describe('sandbox commands: one transaction for append + inline projection (real Postgres)', () => {
  let t: TestDatabase;
  let store: EventStore;
  let transition: TransitionSandboxHandler;
  let create: CreateSandboxHandler;
  const published: EventCommitted[] = [];
  const meta: CommandMeta = { namespace: 'ns-a', actor: 'key-a', role: 'member', correlationId: 'req-1', channel: 'http' };
  /** One lifecycle transition with the caller's metadata and, optionally, an If-Match version. */
  const executor = {
    execute: (id: string, c: { type: SandboxTransition; sandboxId: string }, m: CommandMeta & { expectedVersion?: number }) => {
      const { expectedVersion, ...commandMeta } = m;
      return transition.execute(new TransitionSandboxCommand(id, c.type, commandMeta, expectedVersion));
    },
  };
  const input = { name: 'demo', runtime: 'javascript' as const, mode: 'quick' as const };

  beforeAll(async () => {
    Logger.overrideLogger(false);
    t = await createTestDatabase();
    store = new EventStore(t.db);
    const runner = new CommandRunner(t.db, store, { publish: (e: EventCommitted) => published.push(e) } as unknown as EventBus);
    create = new CreateSandboxHandler(runner, t.db);
    transition = new TransitionSandboxHandler(runner, t.db);
  });
  afterAll(() => t.drop());

  const row = (id: string) => t.db.asAdmin(async (c) => (await c.query('select * from sandboxes where id = $1', [id])).rows[0]);

  it('runs the lifecycle; the read model follows every event in the same transaction', async () => {
    const { sandbox } = await create.execute(new CreateSandboxCommand({ ...input, labels: { team: 'x' }, limits: { memoryMb: 128 } }, meta));
    expect(sandbox).toMatchObject({ state: 'created', version: 1, limits: { memoryMb: 128, timeoutMs: 5000, maxOutputBytes: 65536 }, labels: { team: 'x' }, createdBy: 'key-a' });
    for (const [type, state, version] of [['start', 'running', 2], ['stop', 'stopped', 3], ['start', 'running', 4], ['stop', 'stopped', 5], ['delete', 'deleted', 6]] as const) {
      const r = await executor.execute(sandbox.id, { type, sandboxId: sandbox.id }, meta);
      expect(r.sandbox).toMatchObject({ state, version });
      expect(await row(sandbox.id)).toMatchObject({ state, version });
    }
    const events = await store.readStream(sandboxStreamId(sandbox.id), { namespace: 'ns-a' });
    expect(events.map((e) => e.type)).toEqual(['sandbox_created', 'sandbox_started', 'sandbox_stopped', 'sandbox_started', 'sandbox_stopped', 'sandbox_deleted']);
    expect(events.every((e) => e.metadata.actor === 'key-a' && e.metadata.correlationId === 'req-1' && e.streamType === 'sandbox')).toBe(true);
    expect((await row(sandbox.id)).last_position).toBe(String(events[5].globalPosition));
    expect(published.filter((p) => p.streamId === sandboxStreamId(sandbox.id)).map((p) => p.streamVersion)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('a failing projection rolls the append back: no event without its read-model row', async () => {
    const owner = new Client({ connectionString: t.ownerUrl });
    await owner.connect();
    const before = await t.db.asAdmin(async (c) => Number((await c.query(`select count(*) as n from events`)).rows[0].n));
    try {
      await owner.query('revoke insert on sandboxes from cave_app');
      await expect(create.execute(new CreateSandboxCommand({ ...input, name: 'doomed' }, meta))).rejects.toThrow(/permission denied/);
    } finally {
      await owner.query('grant insert on sandboxes to cave_app');
      await owner.end();
    }
    expect(await t.db.asAdmin(async (c) => Number((await c.query(`select count(*) as n from events`)).rows[0].n))).toBe(before);
    expect(published.some((p) => p.event.type === 'sandbox_created' && (p.event.data as { name: string }).name === 'doomed')).toBe(false);
  });

  it('an invalid transition appends nothing and leaves the read model alone', async () => {
    const { sandbox } = await create.execute(new CreateSandboxCommand(input, meta));
    await expect(executor.execute(sandbox.id, { type: 'stop', sandboxId: sandbox.id }, meta)).rejects.toBeInstanceOf(InvalidSandboxTransitionError);
    expect(await store.streamVersion(sandboxStreamId(sandbox.id), 'ns-a')).toBe(1);
    expect(await row(sandbox.id)).toMatchObject({ state: 'created', version: 1 });
  });

  it('a stale expected version fails; on another tenant\'s sandbox it is "not found", never a version hint', async () => {
    const { sandbox } = await create.execute(new CreateSandboxCommand(input, meta));
    await expect(executor.execute(sandbox.id, { type: 'start', sandboxId: sandbox.id }, { ...meta, expectedVersion: 7 })).rejects.toBeInstanceOf(ConcurrencyError);
    await expect(
      executor.execute(sandbox.id, { type: 'start', sandboxId: sandbox.id }, { ...meta, namespace: 'ns-b', expectedVersion: 1 }),
    ).rejects.toBeInstanceOf(SandboxNotFoundError);
    await expect(executor.execute(sandbox.id, { type: 'start', sandboxId: sandbox.id }, { ...meta, namespace: 'ns-b' })).rejects.toBeInstanceOf(SandboxNotFoundError);
    expect(await row(sandbox.id)).toMatchObject({ state: 'created', version: 1 });
  });

  it('racing transitions: exactly one wins, one event, read model consistent', async () => {
    const { sandbox } = await create.execute(new CreateSandboxCommand(input, meta));
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => executor.execute(sandbox.id, { type: 'start', sandboxId: sandbox.id }, meta)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) {
      if (r.status === 'rejected') expect(r.reason instanceof ConcurrencyError || r.reason instanceof InvalidSandboxTransitionError).toBe(true);
    }
    expect(await store.streamVersion(sandboxStreamId(sandbox.id), 'ns-a')).toBe(2);
    expect(await row(sandbox.id)).toMatchObject({ state: 'running', version: 2 });
  });

  it('create with an idempotency key: the id is derived from it, a re-execution appends nothing', async () => {
    const first = await create.execute(new CreateSandboxCommand(input, { ...meta, idempotencyKey: 'k-1' }));
    const again = await create.execute(new CreateSandboxCommand(input, { ...meta, idempotencyKey: 'k-1' }));
    expect(again).toEqual({ sandbox: first.sandbox, replayed: true });
    expect(await store.streamVersion(sandboxStreamId(first.sandbox.id), 'ns-a')).toBe(1);
    // Another namespace with the same key gets its own sandbox.
    const other = await create.execute(new CreateSandboxCommand(input, { ...meta, namespace: 'ns-b', idempotencyKey: 'k-1' }));
    expect(other.sandbox.id).not.toBe(first.sandbox.id);
  });

  it('a transition retried with the same key replays instead of failing as an invalid transition', async () => {
    const { sandbox } = await create.execute(new CreateSandboxCommand(input, meta));
    const first = await executor.execute(sandbox.id, { type: 'start', sandboxId: sandbox.id }, { ...meta, idempotencyKey: 's-1' });
    const again = await executor.execute(sandbox.id, { type: 'start', sandboxId: sandbox.id }, { ...meta, idempotencyKey: 's-1' });
    expect(first.replayed).toBe(false);
    expect(again).toMatchObject({ replayed: true, sandbox: { state: 'running', version: 2 } });
    expect(await store.streamVersion(sandboxStreamId(sandbox.id), 'ns-a')).toBe(2);
  });
});
