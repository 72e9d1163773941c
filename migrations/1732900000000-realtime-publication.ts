import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Realtime over logical replication (docs/adr/0008): a publication of inserts into `events`, and
 * `cave_replicator`, the only role that reads the WAL. REPLICATION can only be granted by a
 * superuser or a role that has it; without that right the role is created without it and the
 * daemon reports realtime's WAL source as disabled (delivery falls back to polling the table).
 */
export class RealtimePublication1732900000000 implements MigrationInterface {
  name = 'RealtimePublication1732900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      do $$
      declare
        may_grant boolean := (select rolsuper or rolreplication from pg_roles where rolname = current_user);
      begin
        if not exists (select from pg_roles where rolname = 'cave_replicator') then
          if may_grant then
            create role cave_replicator nologin replication nosuperuser nobypassrls nocreatedb nocreaterole;
          else
            create role cave_replicator nologin nosuperuser nobypassrls nocreatedb nocreaterole;
            raise warning 'cave_replicator created without REPLICATION: a superuser must run ALTER ROLE cave_replicator REPLICATION';
          end if;
        end if;
      end $$`);
    // Publications need CREATE on the database; the owner role gets it so it owns the publication too.
    await q.query(`do $$ begin execute format('grant create on database %I to cave_owner', current_database()); end $$`);
    await q.query(`set local role cave_owner`);
    await q.query(`create publication cave_events for table events with (publish = 'insert')`);
    await q.query(`reset role`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop publication if exists cave_events`);
  }
}
