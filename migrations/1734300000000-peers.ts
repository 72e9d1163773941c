import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The peers context (issue 17): registered peers, their latest health observation, the certificate deny list
 * and replication jobs. All node-wide (namespace `system`, admin routes only): written as cave_admin in the
 * command's transaction; the runtime role may read its namespace's rows through RLS and nothing else.
 * `peer_health` is an observation cache (overwritten by every poll), not a read model: only reachability
 * changes are events.
 */
export class Peers1734300000000 implements MigrationInterface {
  name = 'Peers1734300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`set local role cave_owner`);
    await q.query(`
      create table peers (
        id uuid primary key,
        namespace text not null,
        url text not null,
        name text,
        node_id uuid,
        status text not null check (status in ('unknown', 'up', 'down')),
        status_error text,
        status_changed_at timestamptz,
        unreliable boolean not null default false,
        registered_at timestamptz not null,
        removed_at timestamptz,
        version integer not null
      )`);
    await q.query(`create unique index peers_active_url on peers (url) where removed_at is null`);
    await q.query(`
      create table peer_health (
        peer_id uuid primary key,
        namespace text not null,
        last_seen_at timestamptz,
        rtt_ms double precision,
        free_disk_bytes bigint,
        total_memory_bytes bigint,
        free_memory_bytes bigint,
        checked_at timestamptz not null,
        error text
      )`);
    await q.query(`
      create table peer_deny_list (
        entry text primary key,
        namespace text not null,
        reason text not null,
        denied_at timestamptz not null
      )`);
    await q.query(`
      create table peer_replications (
        id uuid primary key,
        namespace text not null,
        artifact_sha256 text not null,
        status text not null check (status in ('pending', 'running', 'completed', 'failed')),
        name text,
        version_label text,
        size_bytes bigint,
        chunk_count integer,
        done_bytes bigint not null default 0,
        done_chunks integer not null default 0,
        failed_chunks integer not null default 0,
        by_source jsonb not null default '{}',
        max_bytes_per_sec bigint not null default 0,
        error_code text,
        error text,
        requested_at timestamptz not null,
        started_at timestamptz,
        finished_at timestamptz,
        version integer not null
      )`);
    await q.query(`create index peer_replications_open on peer_replications (requested_at) where status in ('pending', 'running')`);
    for (const t of ['peers', 'peer_health', 'peer_deny_list', 'peer_replications']) {
      await q.query(`alter table ${t} enable row level security`);
      await q.query(`alter table ${t} force row level security`);
      await q.query(`create policy ${t}_tenant on ${t} for select to cave_app using (namespace = current_setting('cave.namespace', true))`);
      await q.query(`revoke all on ${t} from public`);
      await q.query(`grant select on ${t} to cave_app`);
      await q.query(`grant select, insert, update, delete on ${t} to cave_admin`);
    }
    await q.query(`reset role`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`set local role cave_owner`);
    for (const t of ['peer_replications', 'peer_deny_list', 'peer_health', 'peers']) await q.query(`drop table ${t}`);
    await q.query(`reset role`);
  }
}
