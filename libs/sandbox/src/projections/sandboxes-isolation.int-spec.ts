import { Logger } from '@nestjs/common';
import { Client } from 'pg';
import { CommandRunner, EventStore } from '@cave/event-store';
import { createTestDatabase, TestDatabase } from '@cave/testing';
import { CreateSandboxCommand } from '../commands/create-sandbox/create-sandbox.command';
import { CreateSandboxHandler } from '../commands/create-sandbox/create-sandbox.handler';
import { TransitionSandboxCommand } from '../commands/transition-sandbox/transition-sandbox.command';
import { TransitionSandboxHandler } from '../commands/transition-sandbox/transition-sandbox.handler';
import { SandboxNotFoundError } from '../domain/sandbox.errors';
import { ListSandboxesHandler } from '../queries/list-sandboxes/list-sandboxes.handler';
import { ListSandboxesQuery } from '../queries/list-sandboxes/list-sandboxes.query';
import { readSandbox } from './sandbox.read-model';

/** Isolation at the database level: the runtime role, scoped to B, cannot see or touch A's rows. */
describe('sandboxes + events under RLS as cave_app (real Postgres)', () => {
  let t: TestDatabase;
  let ids: string[];

  beforeAll(async () => {
    Logger.overrideLogger(false);
    t = await createTestDatabase();
    const runner = new CommandRunner(t.db, new EventStore(t.db));
    const create = new CreateSandboxHandler(runner, t.db);
    const transition = new TransitionSandboxHandler(runner, t.db);
    const meta = { namespace: 'a', actor: 'key-a', role: 'member' as const, correlationId: 'req-a', channel: 'http' as const };
    ids = [];
    for (let i = 0; i < 3; i++) {
      const { sandbox } = await create.execute(new CreateSandboxCommand({ name: `a${i}`, runtime: 'wasi', mode: 'persistent' }, meta));
      await transition.execute(new TransitionSandboxCommand(sandbox.id, 'start', meta));
      ids.push(sandbox.id);
    }
  });
  afterAll(() => t.drop());

  /** A raw connection as cave_app with cave.namespace set the way Database.tenant does it. */
  async function asApp<T>(namespace: string | undefined, fn: (c: Client) => Promise<T>): Promise<T> {
    const c = new Client({ connectionString: t.appUrl });
    await c.connect();
    try {
      await c.query('begin');
      if (namespace !== undefined) await c.query(`select set_config('cave.namespace', $1, true)`, [namespace]);
      const r = await fn(c);
      await c.query('rollback');
      return r;
    } finally {
      await c.end();
    }
  }
  const count = async (c: Client, sql: string, params: unknown[] = []) => Number((await c.query(sql, params)).rows[0].n);

  it('is really the runtime role: not superuser, no BYPASSRLS, not owner', async () => {
    const r = await asApp('b', async (c) => (await c.query(`select current_user, rolsuper, rolbypassrls from pg_roles where rolname = current_user`)).rows[0]);
    expect(r).toEqual({ current_user: 'cave_app', rolsuper: false, rolbypassrls: false });
  });

  it("namespace 'a' sees its own rows (the control: the data is there)", async () => {
    await asApp('a', async (c) => {
      expect(await count(c, 'select count(*) as n from sandboxes')).toBe(3);
      expect(await count(c, `select count(*) as n from events where stream_type = 'sandbox'`)).toBe(6);
    });
  });

  it("namespace 'b' selects zero of a's rows from sandboxes and events, even by id or namespace", async () => {
    await asApp('b', async (c) => {
      expect(await count(c, 'select count(*) as n from sandboxes')).toBe(0);
      expect(await count(c, 'select count(*) as n from events')).toBe(0);
      expect(await count(c, 'select count(*) as n from sandboxes where id = any($1::uuid[])', [ids])).toBe(0);
      expect(await count(c, `select count(*) as n from sandboxes where namespace = 'a'`)).toBe(0);
      expect(await count(c, `select count(*) as n from events where namespace = 'a' or stream_id = $1`, [`sandbox-${ids[0]}`])).toBe(0);
    });
  });

  it("namespace 'b' cannot update a's rows or write rows into namespace 'a'", async () => {
    await asApp('b', async (c) => {
      expect((await c.query(`update sandboxes set state = 'deleted' where id = $1`, [ids[0]])).rowCount).toBe(0);
    });
    await expect(
      asApp('b', (c) =>
        c.query(`insert into sandboxes (id, namespace, name, runtime, mode, state, limits, labels, version, created_at, updated_at, created_position, last_position)
                 values (gen_random_uuid(), 'a', 'x', 'wasi', 'quick', 'created', '{}', '{}', 1, now(), now(), 1, 1)`),
      ),
    ).rejects.toThrow(/row-level security/);
  });

  it("the one-round-trip read paths (GET by id, list), fired together for both tenants, give b nothing of a's", async () => {
    const list = new ListSandboxesHandler(t.db);
    const asB = ids.map((id) => readSandbox(t.db, 'b', id));
    const asA = ids.map((id) => readSandbox(t.db, 'a', id));
    const lists = [list.execute(new ListSandboxesQuery('b', { limit: 50 })), list.execute(new ListSandboxesQuery('a', { limit: 50 }))];
    for (const r of await Promise.allSettled(asB)) expect(r).toMatchObject({ status: 'rejected', reason: expect.any(SandboxNotFoundError) });
    expect((await Promise.all(asA)).map((v) => v.id)).toEqual(ids);
    const [pageB, pageA] = await Promise.all(lists);
    expect(pageB.items).toEqual([]);
    expect(pageA.items.map((v) => v.id).sort()).toEqual([...ids].sort());
  });

  it('without cave.namespace the runtime role sees nothing at all', async () => {
    await asApp(undefined, async (c) => {
      expect(await count(c, 'select count(*) as n from sandboxes')).toBe(0);
      expect(await count(c, 'select count(*) as n from events')).toBe(0);
      expect(await count(c, 'select count(*) as n from idempotency_keys')).toBe(0);
    });
  });

  it('the tables force RLS even for their owner', async () => {
    const rows = await t.db.asAdmin(async (c) =>
      (await c.query(`select relname, relrowsecurity, relforcerowsecurity from pg_class where relname in ('sandboxes', 'events', 'idempotency_keys') order by relname`)).rows,
    );
    expect(rows).toEqual([
      { relname: 'events', relrowsecurity: true, relforcerowsecurity: true },
      { relname: 'idempotency_keys', relrowsecurity: true, relforcerowsecurity: true },
      { relname: 'sandboxes', relrowsecurity: true, relforcerowsecurity: true },
    ]);
  });
});
