import { MigrationInterface, QueryRunner } from 'typeorm';

const TENANT = (t: string) => `create policy ${t}_tenant on ${t} for all to cave_app
  using (namespace = current_setting('cave.namespace', true))
  with check (namespace = current_setting('cave.namespace', true))`;

/**
 * Runtime data of sandboxes that is too large or too hot for events (docs/adr/0014): content-addressed blobs
 * (WASI modules, compressed snapshot images), the durable state of persistent sandboxes (latest memory image,
 * overwritten by each exec with a version check), snapshot metadata, and namespace policies (a read model of
 * `namespace_policy_set`). Every row belongs to a namespace: RLS FORCEd, the runtime role sees its own only.
 */
export class SandboxRuntime1733600000000 implements MigrationInterface {
  name = 'SandboxRuntime1733600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`set local role cave_owner`);
    // Per namespace: one tenant can never learn whether another holds the same bytes.
    await q.query(`
      create table sandbox_blobs (
        namespace  text        not null,
        sha256     text        not null check (sha256 ~ '^[0-9a-f]{64}$'),
        kind       text        not null check (kind in ('module', 'snapshot')),
        size_bytes integer     not null,
        bytes      bytea       not null,
        created_at timestamptz not null default now(),
        primary key (namespace, sha256)
      )`);
    await q.query(`
      create table sandbox_states (
        sandbox_id      uuid        primary key,
        namespace       text        not null,
        version         integer     not null,
        image           bytea,
        image_sha256    text,
        module_sha256   text,
        module_bytes    integer,
        head_snapshot   uuid,
        updated_at      timestamptz not null default now()
      )`);
    await q.query(`
      create table sandbox_snapshots (
        id              uuid        primary key,
        namespace       text        not null,
        sandbox_id      uuid        not null,
        parent_id       uuid,
        sha256          text        not null,
        size_bytes      integer     not null,
        raw_bytes       integer     not null,
        variant         text        not null,
        variant_version text        not null,
        created_at      timestamptz not null default now()
      )`);
    await q.query(`create index sandbox_snapshots_by_sandbox on sandbox_snapshots (namespace, sandbox_id, created_at)`);
    await q.query(`
      create table namespace_policies (
        namespace  text        primary key,
        policy     jsonb       not null,
        version    integer     not null,
        updated_at timestamptz not null
      )`);
    for (const t of ['sandbox_blobs', 'sandbox_states', 'sandbox_snapshots', 'namespace_policies']) {
      await q.query(`alter table ${t} enable row level security`);
      await q.query(`alter table ${t} force row level security`);
      await q.query(TENANT(t));
      await q.query(`revoke all on ${t} from public`);
      await q.query(`grant select, insert, update, delete on ${t} to cave_admin`);
    }
    await q.query(`grant select, insert on sandbox_blobs to cave_app`);
    await q.query(`grant select, insert, update, delete on sandbox_states, sandbox_snapshots to cave_app`);
    await q.query(`grant select on namespace_policies to cave_app`);
    await q.query(`reset role`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['namespace_policies', 'sandbox_snapshots', 'sandbox_states', 'sandbox_blobs']) await q.query(`drop table if exists ${t}`);
  }
}
