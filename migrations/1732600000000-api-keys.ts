import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Read model of the api_key streams (inline projection) and the one narrow path that finds a key
 * by its hash before the caller's namespace is known (ADR 0005).
 */
export class ApiKeys1732600000000 implements MigrationInterface {
  name = 'ApiKeys1732600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`set local role cave_owner`);
    await q.query(`
      create table api_keys (
        id            uuid        primary key,
        namespace     text        not null check (namespace ~ '^[a-z0-9][a-z0-9_-]{0,62}$'),
        name          text        not null check (char_length(name) between 1 and 100),
        role          text        not null check (role in ('member', 'admin')),
        prefix        text        not null,
        secret_sha256 text        not null check (secret_sha256 ~ '^[0-9a-f]{64}$'),
        created_at    timestamptz not null,
        created_by    text,
        revoked_at    timestamptz,
        version       integer     not null
      )`);
    // Authentication's only access path; a re-issued bootstrap key may share its hash with revoked rows.
    await q.query(`create unique index api_keys_active_secret on api_keys (secret_sha256) where revoked_at is null`);
    await q.query(`create index api_keys_namespace_created on api_keys (namespace, created_at, id)`);

    await q.query(`alter table api_keys enable row level security`);
    await q.query(`alter table api_keys force row level security`);
    await q.query(`create policy api_keys_tenant on api_keys for all to cave_app
                   using (namespace = current_setting('cave.namespace', true))
                   with check (namespace = current_setting('cave.namespace', true))`);
    // Only for cave_authenticate_api_key below (security definer, runs as cave_owner, a NOLOGIN role).
    await q.query(`create policy api_keys_authenticate on api_keys for select to cave_owner using (true)`);
    await q.query(`revoke all on api_keys from public`);
    await q.query(`grant select, insert, update on api_keys to cave_app`);
    await q.query(`grant select on api_keys to cave_admin`);

    /*
     * The caller proves knowledge of a key by its hash; the function answers only "which active
     * key has exactly this hash", one row at most, so it cannot be used to list or probe tenants.
     */
    await q.query(`
      create function cave_authenticate_api_key(p_secret_sha256 text)
      returns table (key_id uuid, namespace text, role text)
      language sql stable security definer
      set search_path = pg_catalog, pg_temp
      as $$
        select k.id, k.namespace, k.role from public.api_keys k
        where k.secret_sha256 = p_secret_sha256 and k.revoked_at is null
      $$`);
    await q.query(`revoke all on function cave_authenticate_api_key(text) from public`);
    await q.query(`grant execute on function cave_authenticate_api_key(text) to cave_app, cave_admin`);
    await q.query(`reset role`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop function if exists cave_authenticate_api_key(text)`);
    await q.query(`drop table if exists api_keys`);
  }
}
