import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The models context (ADR 0016, 0021): trusted publisher keys and the registry are node-wide admin state
 * (no namespace column, so the runtime role cannot read them at all); activations are per tenant namespace,
 * readable by `cave_app` under FORCE RLS (what ActiveModels resolves through). Every write runs as cave_admin
 * in the transaction of the event it applies.
 */
export class Models1734500000000 implements MigrationInterface {
  name = 'Models1734500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`set local role cave_owner`);
    await q.query(`
      create table model_publishers (
        publisher_id text primary key,
        public_key text not null,
        label text,
        status text not null check (status in ('trusted', 'revoked')),
        trusted_at timestamptz not null,
        revoked_at timestamptz,
        stream_version integer not null
      )`);
    await q.query(`
      create table models (
        model_id text primary key,
        name text not null,
        version text not null,
        size_bytes bigint not null,
        chunk_size integer not null,
        chunk_count integer not null,
        license text not null,
        publisher text not null,
        signed jsonb not null,
        storage_ns text not null,
        storage_bucket text not null,
        storage_key text not null,
        source text not null,
        status text not null check (status in ('unverified', 'verified', 'failed', 'deleted')),
        verified_at timestamptz,
        failure_code text,
        failure_chunk integer,
        registered_at timestamptz not null,
        registered_by text,
        stream_version integer not null
      )`);
    await q.query(`create unique index models_name_version on models (name, version) where status <> 'deleted'`);
    await q.query(`
      create table model_activations (
        namespace text not null,
        name text not null,
        model_id text not null,
        activated_at timestamptz not null,
        activated_by text,
        primary key (namespace, name)
      )`);
    await q.query(`create index model_activations_model on model_activations (model_id)`);
    for (const t of ['model_publishers', 'models', 'model_activations']) await q.query(`revoke all on ${t} from public`);
    await q.query(`alter table model_activations enable row level security`);
    await q.query(`alter table model_activations force row level security`);
    await q.query(`create policy model_activations_tenant on model_activations for select to cave_app using (namespace = current_setting('cave.namespace', true))`);
    await q.query(`grant select on model_activations to cave_app`);
    await q.query(`grant select, insert, update on model_publishers to cave_admin`);
    await q.query(`grant select, insert, update on models to cave_admin`);
    await q.query(`grant select, insert, delete on model_activations to cave_admin`);
    await q.query(`reset role`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['model_activations', 'models', 'model_publishers']) await q.query(`drop table if exists ${t}`);
  }
}
