import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Key rotation (ADR 0010): a rotated key may stay valid for a grace window. `expires_at` is checked
 * by the lookup itself, so the old key fails on the first request after the window on every
 * instance, across restarts, with no timer involved; a sweeper then records `key_revoked`.
 * `webhook_receipts` remembers accepted webhook ids (replay protection shared by every instance).
 */
export class KeyRotation1734200000001 implements MigrationInterface {
  name = 'KeyRotation1734200000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`set local role cave_owner`);
    await q.query(`alter table api_keys add column expires_at timestamptz`);
    await q.query(`create index api_keys_expiring on api_keys (expires_at) where revoked_at is null and expires_at is not null`);
    // statement_timestamp(): the moment this request's lookup ran, not the start of a coalesced batch's transaction.
    await q.query(`
      create or replace function cave_authenticate_api_key(p_secret_sha256 text)
      returns table (key_id uuid, namespace text, role text)
      language sql stable security definer
      set search_path = pg_catalog, pg_temp
      as $$
        select k.id, k.namespace, k.role from public.api_keys k
        where k.secret_sha256 = p_secret_sha256 and k.revoked_at is null
          and (k.expires_at is null or k.expires_at > statement_timestamp())
      $$`);
    await q.query(`revoke all on function cave_authenticate_api_key(text) from public`);
    await q.query(`grant execute on function cave_authenticate_api_key(text) to cave_app, cave_admin`);
    // Rotation issues the new key and retires the old one in one admin transaction; the sweeper revokes as admin.
    await q.query(`grant update (revoked_at, expires_at, version) on api_keys to cave_admin`);
    await q.query(`
      create table webhook_receipts (
        webhook_id text primary key,
        signed_at timestamptz not null,
        received_at timestamptz not null default now()
      )`);
    await q.query(`revoke all on webhook_receipts from public`);
    await q.query(`grant select, insert, delete on webhook_receipts to cave_admin`);
    await q.query(`reset role`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`set local role cave_owner`);
    await q.query(`drop table if exists webhook_receipts`);
    await q.query(`revoke update (revoked_at, expires_at, version) on api_keys from cave_admin`);
    await q.query(`
      create or replace function cave_authenticate_api_key(p_secret_sha256 text)
      returns table (key_id uuid, namespace text, role text)
      language sql stable security definer
      set search_path = pg_catalog, pg_temp
      as $$
        select k.id, k.namespace, k.role from public.api_keys k
        where k.secret_sha256 = p_secret_sha256 and k.revoked_at is null
      $$`);
    await q.query(`alter table api_keys drop column if exists expires_at`);
    await q.query(`reset role`);
  }
}
