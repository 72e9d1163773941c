import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The webhooks context (ADR 0010): endpoints per namespace, their signing secrets (admin-only
 * state, never in an event), the delivery queue the outbox projector fills, and the attempt history.
 * Tenants read their rows through RLS; every write runs as cave_admin (the outbox projector, the
 * dispatcher, and registration after the caller's namespace was checked).
 */
export class Webhooks1734200000000 implements MigrationInterface {
  name = 'Webhooks1734200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`set local role cave_owner`);
    await q.query(`
      create table webhook_endpoints (
        id uuid primary key,
        namespace text not null,
        url text not null,
        event_types text[] not null,
        standard_webhooks boolean not null,
        created_at timestamptz not null,
        created_by text,
        deleted_at timestamptz,
        version integer not null
      )`);
    await q.query(`create index webhook_endpoints_active on webhook_endpoints (namespace) where deleted_at is null`);
    await q.query(`
      create table webhook_endpoint_secrets (
        endpoint_id uuid primary key,
        secret text not null
      )`);
    await q.query(`
      create table webhook_deliveries (
        id uuid primary key,
        namespace text not null,
        webhook_id text not null,
        event_id uuid not null,
        event_type text not null,
        global_position bigint not null,
        endpoint_id uuid,
        target text not null check (target in ('endpoint', 'operator')),
        payload text not null,
        status text not null check (status in ('pending', 'succeeded', 'dead')),
        attempts integer not null default 0,
        round_attempts integer not null default 0,
        next_attempt_at timestamptz not null,
        lease_until timestamptz,
        leased_by text,
        last_status_code integer,
        last_error text,
        created_at timestamptz not null,
        delivered_at timestamptz,
        version integer not null default 0
      )`);
    await q.query(`create index webhook_deliveries_due on webhook_deliveries (next_attempt_at) where status = 'pending'`);
    await q.query(`create index webhook_deliveries_listing on webhook_deliveries (namespace, created_at desc, id)`);
    await q.query(`
      create table webhook_delivery_attempts (
        delivery_id uuid not null,
        attempt integer not null,
        namespace text not null,
        outcome text not null check (outcome in ('succeeded', 'failed')),
        status_code integer,
        latency_ms integer not null,
        error text,
        attempted_at timestamptz not null,
        next_attempt_at timestamptz,
        primary key (delivery_id, attempt)
      )`);
    for (const t of ['webhook_endpoints', 'webhook_deliveries', 'webhook_delivery_attempts']) {
      await q.query(`alter table ${t} enable row level security`);
      await q.query(`alter table ${t} force row level security`);
      await q.query(`create policy ${t}_tenant on ${t} for select to cave_app using (namespace = current_setting('cave.namespace', true))`);
      await q.query(`revoke all on ${t} from public`);
      await q.query(`grant select on ${t} to cave_app`);
    }
    await q.query(`revoke all on webhook_endpoint_secrets from public`);
    await q.query(`grant select, insert, update on webhook_endpoints to cave_admin`);
    await q.query(`grant select, insert, delete on webhook_endpoint_secrets to cave_admin`);
    await q.query(`grant select, insert, update on webhook_deliveries to cave_admin`);
    await q.query(`grant select, insert on webhook_delivery_attempts to cave_admin`);
    await q.query(`reset role`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['webhook_delivery_attempts', 'webhook_deliveries', 'webhook_endpoint_secrets', 'webhook_endpoints']) {
      await q.query(`drop table if exists ${t}`);
    }
  }
}
