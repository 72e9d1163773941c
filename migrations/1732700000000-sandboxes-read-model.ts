import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Read model of the sandbox context, written by the inline projection in the same transaction as
 * the append. Rows are tenant data: FORCE ROW LEVEL SECURITY by namespace for the runtime role.
 */
export class SandboxesReadModel1732700000000 implements MigrationInterface {
  name = 'SandboxesReadModel1732700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`set local role cave_owner`);
    await q.query(`
      create table sandboxes (
        id               uuid        primary key,
        namespace        text        not null,
        name             text        not null,
        runtime          text        not null,
        mode             text        not null,
        state            text        not null check (state in ('created', 'running', 'stopped', 'deleted')),
        limits           jsonb       not null,
        labels           jsonb       not null,
        version          integer     not null,
        created_by       text,
        created_at       timestamptz not null,
        updated_at       timestamptz not null,
        -- Global position of sandbox_created: unique and stable, the keyset for listing.
        created_position bigint      not null,
        last_position    bigint      not null
      )`);
    await q.query(`create index sandboxes_list on sandboxes (namespace, created_position desc)`);
    await q.query(`create index sandboxes_list_by_state on sandboxes (namespace, state, created_position desc)`);
    await q.query(`alter table sandboxes enable row level security`);
    await q.query(`alter table sandboxes force row level security`);
    await q.query(`create policy sandboxes_tenant on sandboxes for all to cave_app
                   using (namespace = current_setting('cave.namespace', true))
                   with check (namespace = current_setting('cave.namespace', true))`);
    await q.query(`revoke all on sandboxes from public`);
    // The runtime role projects inline (insert/update); rebuilds run as cave_admin.
    await q.query(`grant select, insert, update on sandboxes to cave_app`);
    await q.query(`grant select, insert, update, delete on sandboxes to cave_admin`);
    await q.query(`reset role`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop table if exists sandboxes`);
  }
}
