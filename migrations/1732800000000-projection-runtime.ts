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

    // An index definition without its name and table, to pair a live index with its clone.
    await q.query(`
      create function cave_projection_index_shape(p_index oid) returns text
      language sql stable set search_path = public, pg_temp as $$
        select regexp_replace(pg_get_indexdef(p_index), '^(CREATE (UNIQUE )?INDEX )\\S+ ON (ONLY )?\\S+ ', '\\1')
      $$`);
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

    /*
     * Replaces the live table by its shadow; the caller's transaction makes it atomic for readers.
     * LIKE ... INCLUDING ALL names the cloned indexes itself, so each one gets the name of the live
     * index with the same definition back: names (and constraint names) stay stable across rebuilds.
     */
    await q.query(`
      create function cave_projection_swap(p_table text) returns void
      language plpgsql security definer set search_path = public, pg_temp as $$
      declare
        v_shadow text := p_table || '__shadow';
        v_names text[];
        v_defs text[];
        v_at integer;
        r record;
      begin
        perform cave_projection_assert_read_model(p_table);
        if to_regclass(v_shadow) is null then
          raise exception 'no shadow table for %', p_table using errcode = 'CV404';
        end if;
        select array_agg(c.relname::text order by c.relname),
               array_agg(cave_projection_index_shape(i.indexrelid) order by c.relname)
          into v_names, v_defs
          from pg_index i join pg_class c on c.oid = i.indexrelid where i.indrelid = p_table::regclass;
        execute format('drop table %I', p_table);
        execute format('alter table %I rename to %I', v_shadow, p_table);
        for r in select c.relname::text as name, cave_projection_index_shape(i.indexrelid) as def
                 from pg_index i join pg_class c on c.oid = i.indexrelid where i.indrelid = p_table::regclass loop
          v_at := array_position(v_defs, r.def);
          if v_at is not null then
            v_defs[v_at] := null;
            if r.name <> v_names[v_at] then
              execute format('alter index %I rename to %I', r.name, v_names[v_at]);
            end if;
          end if;
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
    await q.query(`drop function if exists cave_projection_index_shape(oid)`);
    await q.query(`drop table if exists projection_read_models`);
    await q.query(`drop table if exists projection_checkpoints`);
  }
}
