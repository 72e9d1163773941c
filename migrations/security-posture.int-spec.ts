import { Client } from 'pg';
import { createTestDatabase, TestDatabase } from '@cave/testing';

interface Policy {
  table: string;
  name: string;
  permissive: string;
  roles: string[];
  cmd: string;
  qual: string | null;
  withCheck: string | null;
}

const TENANT = "(namespace = current_setting('cave.namespace'::text, true))";

/**
 * Policies that are not the tenant policy shape. The one reviewed exception: `api_keys_authenticate` lets
 * `cave_owner` read every key, because the key lookup runs as a SECURITY DEFINER function owned by it
 * (cave_app can execute only that function, see below).
 */
function unexpectedPolicies(rows: Policy[]): Policy[] {
  const reviewed = (p: Policy) =>
    p.table === 'api_keys' && p.name === 'api_keys_authenticate' && p.permissive === 'PERMISSIVE' &&
    p.roles.join() === 'cave_owner' && p.cmd === 'SELECT' && p.qual === 'true' && p.withCheck === null;
  const tenant = (p: Policy) =>
    p.permissive === 'PERMISSIVE' && p.roles.join() === 'cave_app' && p.name.startsWith(`${p.table}_tenant`) &&
    (p.cmd === 'SELECT' ? p.qual === TENANT && p.withCheck === null : p.cmd === 'ALL' && p.qual === TENANT && p.withCheck === TENANT);
  return rows.filter((p) => !reviewed(p) && !tenant(p));
}

/**
 * The database's security posture after every migration, read from the catalogs rather than
 * listed by hand: a table or function added by a future migration is checked without anyone
 * remembering to extend this file.
 */
describe('security posture of the migrated schema', () => {
  let t: TestDatabase;
  let owner: Client;

  beforeAll(async () => {
    t = await createTestDatabase();
    owner = new Client({ connectionString: t.ownerUrl });
    await owner.connect();
    // One row in each append-only table, so row triggers would fire if a privilege let a statement through.
    await t.db.app.query(
      `select * from cave_append('ns-a', 'probe', 'probe-1', 0, '[{"eventId": "00000000-0000-4000-8000-000000000001", "type": "probed", "data": {}, "metadata": {}}]'::jsonb, null)`,
    );
    await t.db.admin.query(
      `insert into audit_log (seq, global_position, event_id, namespace, event_cursor, entry, hash, leaf_hash)
       values (0, 1, '00000000-0000-4000-8000-000000000001', 'ns-a', '1:1', '{}', repeat('0', 64), decode(repeat('00', 32), 'hex'))`,
    );
    await t.db.admin.query(`insert into audit_checkpoints (tree_size, root_hash, note) values (1, decode(repeat('00', 32), 'hex'), 'n')`);
  });

  afterAll(async () => {
    await owner.end();
    await t.drop();
  });

  const APPEND_ONLY = ['events', 'audit_log', 'audit_checkpoints'];

  it('forces row level security with a namespace policy for cave_app on every table that has a namespace column', async () => {
    const { rows } = await owner.query<{ table: string; rls: boolean; force: boolean; policies: string[] | null }>(`
      select c.relname as table, c.relrowsecurity as rls, c.relforcerowsecurity as force,
             (select array_agg(p.qual) from pg_policies p
               where p.schemaname = 'public' and p.tablename = c.relname and 'cave_app' = any(p.roles)) as policies
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind in ('r', 'p')
        and exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'namespace' and not a.attisdropped)
      order by 1`);
    // The known tenant tables must be among them, so an empty catalog query cannot pass silently.
    expect(rows.map((r) => r.table)).toEqual(expect.arrayContaining(['events', 'sandboxes', 'api_keys', 'audit_log', 'idempotency_keys', 'event_idempotency', 'buckets', 'objects', 'object_uploads', 'object_upload_parts', 'sandbox_blobs', 'sandbox_states', 'sandbox_snapshots', 'namespace_policies', 'model_activations']));
    for (const r of rows) {
      expect({ table: r.table, rls: r.rls, force: r.force }).toEqual({ table: r.table, rls: true, force: true });
      expect({ table: r.table, policies: r.policies ?? [] }).toEqual({
        table: r.table,
        policies: expect.arrayContaining([expect.stringMatching(/namespace = current_setting\('cave\.namespace'::text, true\)/)]),
      });
    }
  });

  /** Every row policy in the schema, as PostgreSQL normalises it. */
  const policies = (c: Pick<Client, 'query'>) =>
    c
      .query<Policy>(
        `select tablename as table, policyname as name, permissive, roles::text[] as roles, cmd, qual, with_check as "withCheck"
         from pg_policies where schemaname = 'public' order by 1, 2`,
      )
      .then((r) => r.rows);

  it('lists every policy: each is the cave_app namespace policy of its table, the one reviewed exception aside', async () => {
    const rows = await policies(owner);
    expect(rows.length).toBeGreaterThanOrEqual(20);
    expect(unexpectedPolicies(rows)).toEqual([]);
    // Each tenant table has its policy (a table whose policy was dropped would deny everything, or hide a bug).
    const tenantTables = rows.filter((r) => r.name !== 'api_keys_authenticate').map((r) => r.table);
    expect(new Set(tenantTables).size).toBe(tenantTables.length);
    const { rows: forced } = await owner.query<{ table: string; rls: boolean; force: boolean }>(
      `select relname as table, relrowsecurity as rls, relforcerowsecurity as force from pg_class
       where relnamespace = 'public'::regnamespace and relname = any($1) order by 1`,
      [tenantTables],
    );
    expect(forced.filter((r) => !r.rls || !r.force)).toEqual([]);
    expect(forced).toHaveLength(tenantTables.length);
  });

  it('the policy inventory fails on an extra permissive using (true) policy, or one for PUBLIC', async () => {
    // Proves the check above can fail: the policies a careless migration might add, inside a rolled-back transaction.
    await owner.query('begin');
    try {
      await owner.query(`create policy sandboxes_debug on sandboxes for select to cave_app using (true)`);
      await owner.query(`create policy objects_everyone on objects to public using (namespace = current_setting('cave.namespace', true))`);
      await owner.query(`create policy buckets_nocheck on buckets for insert to cave_app with check (true)`);
      expect(unexpectedPolicies(await policies(owner)).map((p) => p.name)).toEqual(['buckets_nocheck', 'objects_everyone', 'sandboxes_debug']);
    } finally {
      await owner.query('rollback');
    }
  });

  it('the runtime login itself is not superuser, has no BYPASSRLS and runs with row security on', async () => {
    const { rows } = await t.db.app.query<{ user: string; rolsuper: boolean; rolbypassrls: boolean; is_superuser: string; row_security: string }>(
      `select current_user as user, r.rolsuper, r.rolbypassrls, current_setting('is_superuser') as is_superuser,
              current_setting('row_security') as row_security
       from pg_roles r where r.rolname = current_user`,
    );
    expect(rows).toEqual([{ user: 'cave_app', rolsuper: false, rolbypassrls: false, is_superuser: 'off', row_security: 'on' }]);
    // Without a namespace set, the runtime role sees no tenant row at all.
    expect((await t.db.app.query(`select * from events`)).rows).toEqual([]);
  });

  it('gives cave_app no access at all to tables without a namespace column (system state)', async () => {
    const { rows } = await owner.query<{ table: string; privs: string[] | null }>(`
      select c.relname as table,
             array(select p from unnest(array['SELECT','INSERT','UPDATE','DELETE','TRUNCATE','REFERENCES','TRIGGER']) p
                   where has_table_privilege('cave_app', c.oid, p)) as privs
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind in ('r', 'p')
        and not exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'namespace' and not a.attisdropped)
      order by 1`);
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) expect({ table: r.table, privs: r.privs }).toEqual({ table: r.table, privs: [] });
  });

  it('never grants TRUNCATE, REFERENCES or TRIGGER to a runtime role, nor UPDATE/DELETE on append-only tables', async () => {
    const { rows } = await owner.query<{ role: string; table: string; priv: string }>(`
      select r.role, c.relname as table, p.priv
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      cross join unnest(array['cave_app', 'cave_admin']) r(role)
      cross join unnest(array['UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER']) p(priv)
      where n.nspname = 'public' and c.relkind in ('r', 'p') and has_table_privilege(r.role, c.oid, p.priv)
      order by 1, 2, 3`);
    const forbidden = rows.filter((r) => ['TRUNCATE', 'REFERENCES', 'TRIGGER'].includes(r.priv) || APPEND_ONLY.includes(r.table));
    expect(forbidden).toEqual([]);
  });

  it('keeps the runtime roles unprivileged: not superuser, not owner of anything, cave_app without BYPASSRLS, no CREATE in public', async () => {
    const { rows: roles } = await owner.query<{ rolname: string; rolsuper: boolean; rolbypassrls: boolean; rolcreaterole: boolean; rolcreatedb: boolean }>(
      `select rolname, rolsuper, rolbypassrls, rolcreaterole, rolcreatedb from pg_roles where rolname in ('cave_app', 'cave_admin') order by 1`,
    );
    expect(roles).toEqual([
      { rolname: 'cave_admin', rolsuper: false, rolbypassrls: true, rolcreaterole: false, rolcreatedb: false },
      { rolname: 'cave_app', rolsuper: false, rolbypassrls: false, rolcreaterole: false, rolcreatedb: false },
    ]);
    const { rows: owned } = await owner.query(`
      select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and pg_get_userbyid(c.relowner) in ('cave_app', 'cave_admin')
      union all
      select p.proname from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      where n.nspname = 'public' and pg_get_userbyid(p.proowner) in ('cave_app', 'cave_admin')`);
    expect(owned).toEqual([]);
    // Membership in the owner role would let a runtime role `set role cave_owner` and skip RLS.
    const { rows: members } = await owner.query(`
      select r.rolname, m.rolname as member_of from pg_auth_members am
      join pg_roles r on r.oid = am.member join pg_roles m on m.oid = am.roleid
      where r.rolname in ('cave_app', 'cave_admin')`);
    expect(members).toEqual([]);
    const { rows: create } = await owner.query(
      `select has_schema_privilege('cave_app', 'public', 'CREATE') as app, has_schema_privilege('cave_admin', 'public', 'CREATE') as admin`,
    );
    expect(create[0]).toEqual({ app: false, admin: false });
  });

  it('pins search_path on every SECURITY DEFINER function and revokes EXECUTE from PUBLIC', async () => {
    const { rows } = await owner.query<{ fn: string; config: string[] | null; public_exec: boolean }>(`
      select p.oid::regprocedure::text as fn, p.proconfig as config,
             exists (select 1 from aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
                     where a.grantee = 0 and a.privilege_type = 'EXECUTE') as public_exec
      from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      where n.nspname = 'public' and p.prosecdef
      order by 1`);
    expect(rows.map((r) => r.fn)).toEqual(expect.arrayContaining(['cave_authenticate_api_key(text)']));
    for (const r of rows) {
      expect({ fn: r.fn, searchPath: (r.config ?? []).some((c) => c.startsWith('search_path=')), publicExec: r.public_exec }).toEqual({
        fn: r.fn,
        searchPath: true,
        publicExec: false,
      });
    }
  });

  it('has no security definer function executable by cave_app except the key lookup', async () => {
    const { rows } = await owner.query<{ fn: string }>(`
      select p.oid::regprocedure::text as fn from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      where n.nspname = 'public' and p.prosecdef and has_function_privilege('cave_app', p.oid, 'EXECUTE') order by 1`);
    expect(rows.map((r) => r.fn)).toEqual(['cave_authenticate_api_key(text)']);
  });

  it('lets cave_app update only the revocation columns of api_keys, so no statement can promote a key to admin', async () => {
    const { rows } = await owner.query<{ column: string }>(`
      select a.attname as column from pg_attribute a
      where a.attrelid = 'api_keys'::regclass and a.attnum > 0 and not a.attisdropped
        and has_column_privilege('cave_app', a.attrelid, a.attnum, 'UPDATE')
      order by 1`);
    expect(rows.map((r) => r.column)).toEqual(['revoked_at', 'version']);
    await expect(t.db.tenant('ns-a', (c) => c.query(`update api_keys set role = 'admin'`))).rejects.toThrow(/permission denied/);
  });

  it('gives cave_app no INSERT on api_keys: only the admin role issues keys', async () => {
    const { rows } = await owner.query(`select has_table_privilege('cave_app', 'api_keys', 'INSERT') as table_level,
      exists (select 1 from pg_attribute a where a.attrelid = 'api_keys'::regclass and a.attnum > 0
              and has_column_privilege('cave_app', a.attrelid, a.attnum, 'INSERT')) as any_column`);
    expect(rows[0]).toEqual({ table_level: false, any_column: false });
    await expect(
      t.db.tenant('ns-a', (c) =>
        c.query(`insert into api_keys (id, namespace, name, role, prefix, secret_sha256, created_at, version)
                 values (gen_random_uuid(), 'ns-a', 'minted', 'admin', 'cave_sk_mint', repeat('a', 64), now(), 1)`),
      ),
    ).rejects.toThrow(/permission denied/);
  });

  it('ends a cave_app transaction left idle, so it cannot stall the gap-safe followers indefinitely', async () => {
    const { rows } = await t.db.app.query<{ v: string }>(`select current_setting('idle_in_transaction_session_timeout') as v`);
    expect(rows[0].v).toBe('1min');
  });

  it.each(APPEND_ONLY)('rejects UPDATE, DELETE and TRUNCATE on %s for cave_app and cave_admin, whatever the grants', async (table) => {
    for (const pool of [t.db.app, t.db.admin]) {
      for (const sql of [`update ${table} set ${table === 'audit_checkpoints' ? 'note' : 'namespace'} = 'x'`, `delete from ${table}`, `truncate ${table}`]) {
        await expect(pool.query(sql)).rejects.toThrow(/permission denied|immutable|append-only/);
      }
    }
  });
});
