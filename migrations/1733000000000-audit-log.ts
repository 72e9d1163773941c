import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit log (one canonical JSON entry per event, hash-chained) and the signed checkpoints over
 * it. Both are append-only for every role: a trigger rejects UPDATE/DELETE/TRUNCATE and no runtime
 * role has those privileges. Members read only their namespace's entries (RLS); only the admin
 * role (the audit writer and admin endpoints) inserts.
 */
export class AuditLog1733000000000 implements MigrationInterface {
  name = 'AuditLog1733000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`set local role cave_owner`);
    await q.query(`
      create table audit_log (
        seq             bigint      primary key check (seq >= 0),
        global_position bigint      not null unique,
        event_id        uuid        not null unique,
        namespace       text        not null,
        -- Where the writer resumes in the commit-safe order (ADR 0002); not part of the entry.
        event_cursor    text        not null,
        -- The canonical JSON line exactly as hashed and written to the file (jsonb would reorder keys).
        entry           text        not null,
        hash            text        not null check (hash ~ '^[0-9a-f]{64}$'),
        -- RFC 6962 leaf hash of entry, kept so the Merkle tree loads without rehashing.
        leaf_hash       bytea       not null check (length(leaf_hash) = 32),
        written_at      timestamptz not null default now()
      )`);
    await q.query(`create index audit_log_namespace_seq on audit_log (namespace, seq)`);

    await q.query(`
      create table audit_checkpoints (
        tree_size  bigint      primary key check (tree_size >= 0),
        root_hash  bytea       not null check (length(root_hash) = 32),
        note       text        not null,
        signed_at  timestamptz not null default now()
      )`);

    await q.query(`
      create function cave_reject_audit_change() returns trigger language plpgsql as $$
      begin
        raise exception '% is append-only: % is not allowed', tg_table_name, tg_op using errcode = 'CV002';
      end $$`);
    for (const t of ['audit_log', 'audit_checkpoints']) {
      await q.query(`create trigger ${t}_immutable_row before update or delete on ${t}
                     for each row execute function cave_reject_audit_change()`);
      await q.query(`create trigger ${t}_immutable_truncate before truncate on ${t}
                     for each statement execute function cave_reject_audit_change()`);
      await q.query(`alter table ${t} enable row level security`);
      await q.query(`alter table ${t} force row level security`);
      await q.query(`revoke all on ${t} from public`);
      await q.query(`grant select, insert on ${t} to cave_admin`);
    }
    // Members may read their own namespace's entries (inclusion proofs); checkpoints stay admin-only.
    await q.query(`grant select on audit_log to cave_app`);
    await q.query(`create policy audit_log_tenant_read on audit_log for select to cave_app
                   using (namespace = current_setting('cave.namespace', true))`);
    await q.query(`reset role`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop table if exists audit_checkpoints`);
    await q.query(`drop table if exists audit_log`);
    await q.query(`drop function if exists cave_reject_audit_change()`);
  }
}
