import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * HTTP Idempotency-Key records (Stripe semantics): one row per (namespace, key) holding the
 * request fingerprint and, once finished, the response to replay. Tenant data under FORCE RLS.
 */
export class IdempotencyKeys1732700000001 implements MigrationInterface {
  name = 'IdempotencyKeys1732700000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`set local role cave_owner`);
    await q.query(`
      create table idempotency_keys (
        namespace       text        not null,
        idempotency_key text        not null,
        fingerprint     text        not null,
        state           text        not null check (state in ('in_progress', 'completed')),
        status          integer,
        headers         jsonb,
        body            text,
        -- An in-progress claim whose owner died is taken over after this instant.
        locked_until    timestamptz not null,
        created_at      timestamptz not null default now(),
        expires_at      timestamptz not null,
        primary key (namespace, idempotency_key)
      )`);
    await q.query(`create index idempotency_keys_expiry on idempotency_keys (expires_at)`);
    await q.query(`alter table idempotency_keys enable row level security`);
    await q.query(`alter table idempotency_keys force row level security`);
    await q.query(`create policy idempotency_keys_tenant on idempotency_keys for all to cave_app
                   using (namespace = current_setting('cave.namespace', true))
                   with check (namespace = current_setting('cave.namespace', true))`);
    await q.query(`revoke all on idempotency_keys from public`);
    await q.query(`grant select, insert, update, delete on idempotency_keys to cave_app, cave_admin`);
    await q.query(`reset role`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop table if exists idempotency_keys`);
  }
}
