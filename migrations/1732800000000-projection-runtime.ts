import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Projection runtime: one checkpoint row per projector, the registry of rebuildable read-model tables,
 * and the two SECURITY DEFINER functions that let the runtime role clone and swap exactly those tables
 * (never anything else) without owning them. See docs/adr/0006.
 */
export class ProjectionRuntime1732800000000 implements MigrationInterface {
  name = 'ProjectionRuntime1732800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`set local role cave_owner`);
    await q.query(`
      create table projection_checkpoints (
        name              text primary key,
        version           integer not null default 1,
        cursor            text not null default '0:0',
        position          bigint not null default 0,
        status            text not null default 'running' check (status in ('running', 'failed')),
        error             text,
        failed_position   bigint,
        failed_cursor     text,
        failed_event_id   uuid,
        failed_event_type text,
        failed_at         timestamptz,
        leader            text,
        leader_since      timestamptz,
        rebuild_status    text check (rebuild_status in ('requested', 'running', 'done', 'failed')),
        rebuild_cursor    text,
        rebuild_position  bigint,
        rebuild_events    bigint not null default 0,
        rebuild_rate      double precision,
        rebuild_error     text,
        rebuild_requested_at timestamptz,
        rebuild_started_at   timestamptz,
        rebuild_finished_at  timestamptz,
        updated_at        timestamptz not null default now()
      )`);
    // System state, not tenant data: only the admin role (workers, admin endpoints) touches it.
    await q.query(`revoke all on projection_checkpoints from public`);
    await q.query(`grant select, insert, update on projection_checkpoints to cave_admin`);

    // Only tables a migration registered here can be cloned or swapped by the runtime role.
    await q.query(`create table projection_read_models (table_name text primary key check (table_name ~ '^[a-z_][a-z0-9_]{0,50}$'))`);
    await q.query(`revoke all on projection_read_models from public`);
    await q.query(`grant select on projection_read_models to cave_admin`);

    await q.query(`
      create function cave_projection_assert_read_model(p_table text) returns void
      language plpgsql security definer set search_path = public, pg_temp as $$
      begin
        if not exists (select 1 from projection_read_models where table_name = p_table) then
          raise exception 'table % is not a registered read model', p_table using errcode = 'CV404';
        end if;
      end $$`);

    /*
     * A shadow copy of a live read model: same columns, defaults, indexes and checks, same RLS flags,
     * policies and grants, so it can be swapped in without anyone noticing a difference.
     */
    await q.query(`
      create function cave_projection_create_shadow(p_table text) returns text
      language plpgsql security definer set search_path = public, pg_temp as $$
      declare
        v_shadow text := p_table || '__shadow';
        v_rls boolean;
        v_force boolean;
        r record;
      begin
        perform cave_projection_assert_read_model(p_table);
        execute format('drop table if exists %I', v_shadow);
        execute format('create table %I (like %I including all)', v_shadow, p_table);
        select relrowsecurity, relforcerowsecurity into v_rls, v_force from pg_class where oid = p_table::regclass;
        if v_rls then execute format('alter table %I enable row level security', v_shadow); end if;
        if v_force then execute format('alter table %I force row level security', v_shadow); end if;
        for r in select * from pg_policies where schemaname = 'public' and tablename = p_table loop
          execute format('create policy %I on %I as %s for %s to %s %s %s',
            r.policyname, v_shadow, r.permissive, r.cmd,
            (select string_agg(case when x = 'public' then 'public' else quote_ident(x) end, ', ') from unnest(r.roles) x),
            case when r.qual is null then '' else 'using (' || r.qual || ')' end,
            case when r.with_check is null then '' else 'with check (' || r.with_check || ')' end);
        end loop;
        for r in select grantee, privilege_type from information_schema.role_table_grants
                 where table_schema = 'public' and table_name = p_table and grantee <> 'cave_owner' loop
          execute format('grant %s on %I to %I', r.privilege_type, v_shadow, r.grantee);
        end loop;
        return v_shadow;
      end $$`);

    await q.query(`
      create function cave_projection_drop_shadow(p_table text) returns void
      language plpgsql security definer set search_path = public, pg_temp as $$
      begin
        perform cave_projection_assert_read_model(p_table);
        execute format('drop table if exists %I', p_table || '__shadow');
      end $$`);

    /* Replaces the live table by its shadow; the caller's transaction makes it atomic for readers. */
    await q.query(`
      create function cave_projection_swap(p_table text) returns void
      language plpgsql security definer set search_path = public, pg_temp as $$
      declare
        v_shadow text := p_table || '__shadow';
        r record;
      begin
        perform cave_projection_assert_read_model(p_table);
        if to_regclass(v_shadow) is null then
          raise exception 'no shadow table for %', p_table using errcode = 'CV404';
        end if;
        execute format('drop table %I', p_table);
        execute format('alter table %I rename to %I', v_shadow, p_table);
        -- Index names follow the table, so the next rebuild's clone gets the same names again.
        for r in select indexname from pg_indexes
                 where schemaname = 'public' and tablename = p_table and left(indexname, length(v_shadow)) = v_shadow loop
          execute format('alter index %I rename to %I', r.indexname, p_table || substr(r.indexname, length(v_shadow) + 1));
        end loop;
      end $$`);
    for (const fn of ['cave_projection_assert_read_model', 'cave_projection_create_shadow', 'cave_projection_drop_shadow', 'cave_projection_swap']) {
      await q.query(`revoke all on function ${fn}(text) from public`);
      await q.query(`grant execute on function ${fn}(text) to cave_admin`);
    }
    await q.query(`reset role`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const fn of ['cave_projection_swap', 'cave_projection_drop_shadow', 'cave_projection_create_shadow', 'cave_projection_assert_read_model']) {
      await q.query(`drop function if exists ${fn}(text)`);
    }
    await q.query(`drop table if exists projection_read_models`);
    await q.query(`drop table if exists projection_checkpoints`);
  }
}
