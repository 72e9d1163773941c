import { Client } from 'pg';
import { createTestDatabase, TestDatabase } from '@cave/testing';
import { PreconditionFailedError } from './concurrency.errors';
import { EventStore } from './event-store';
import type { SqlStatement } from './inline-projection';

/**
 * An append behind a precondition is one statement: the read runs first, as the tenant (RLS), may lock what it
 * read, and when it finds nothing cave_append is never called.
 */
describe('EventStore.append with a precondition (real Postgres)', () => {
  let t: TestDatabase;
  let store: EventStore;
  let owner: Client;

  beforeAll(async () => {
    t = await createTestDatabase();
    store = new EventStore(t.db);
    owner = new Client({ connectionString: t.ownerUrl });
    await owner.connect();
    await owner.query(`set role cave_owner`);
    await owner.query(`create table gates (id text primary key, namespace text not null, open boolean not null)`);
    await owner.query(`alter table gates enable row level security`);
    await owner.query(`alter table gates force row level security`);
    await owner.query(`create policy gates_tenant on gates for all to cave_app
                       using (namespace = current_setting('cave.namespace', true))
                       with check (namespace = current_setting('cave.namespace', true))`);
    await owner.query(`grant select, update on gates to cave_app`);
    await owner.query(`reset role`);
    // As the superuser (RLS is forced on the table owner).
    await owner.query(`insert into gates values ('g-open', 'ns', true), ('g-shut', 'ns', false), ('g-other', 'other', true), ('g-race', 'ns', true)`);
  });
  afterAll(async () => {
    await owner.end();
    await t.drop();
  });

  const open = (id: string): SqlStatement => ({ text: `select 1 from gates where id = $1 and open for no key update`, values: [id] });
  const append = (streamId: string, gate: string, namespace = 'ns') =>
    store.append(streamId, 'any', [{ type: 'passed', data: { gate } }], { namespace, streamType: 'gate', precondition: open(gate) });

  it('appends when the precondition finds its row', async () => {
    const r = await append('p-1', 'g-open');
    expect(r.nextExpectedVersion).toBe(1);
    expect((await store.readStream('p-1', { namespace: 'ns' })).map((e) => e.type)).toEqual(['passed']);
  });

  it('appends nothing (cave_append is never called) when it finds none', async () => {
    await expect(append('p-2', 'g-shut')).rejects.toBeInstanceOf(PreconditionFailedError);
    expect(await store.streamVersion('p-2', 'ns')).toBe(0);
  });

  it("reads as the tenant: another namespace's row is not there", async () => {
    await expect(append('p-3', 'g-other', 'ns')).rejects.toBeInstanceOf(PreconditionFailedError);
    expect(await store.streamVersion('p-3', 'ns')).toBe(0);
    expect((await append('p-3', 'g-other', 'other')).nextExpectedVersion).toBe(1);
  });

  it('holds for the whole statement: a writer that shuts the gate first makes it wait, then fail', async () => {
    const writer = new Client({ connectionString: t.appUrl });
    await writer.connect();
    try {
      await writer.query(`begin; select set_config('cave.namespace', 'ns', true)`);
      await writer.query(`update gates set open = false where id = 'g-race'`);
      let settled = false;
      const pending = append('p-4', 'g-race').finally(() => (settled = true));
      pending.catch(() => undefined);
      await new Promise((r) => setTimeout(r, 200));
      // Waiting on the writer's row lock, not decided on the row as it was before.
      expect(settled).toBe(false);
      await writer.query('commit');
      await expect(pending).rejects.toBeInstanceOf(PreconditionFailedError);
      expect(await store.streamVersion('p-4', 'ns')).toBe(0);
    } finally {
      await writer.end();
    }
  });

  it('inside a caller transaction it is part of that transaction', async () => {
    await t.db.tenant('ns', async (client) => {
      await store.append('p-5', 'any', [{ type: 'passed', data: {} }], { namespace: 'ns', streamType: 'gate', precondition: open('g-open'), client });
    });
    expect(await store.streamVersion('p-5', 'ns')).toBe(1);
  });
});
