import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Roles, the append-only `events` table, its tenant policy and the append function.
 * Roles are cluster-wide, so their creation tolerates a previous database having made them.
 */
export class RolesAndEventStore1732500000000 implements MigrationInterface {
  name = 'RolesAndEventStore1732500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      do $$ begin
        if not exists (select from pg_roles where rolname = 'cave_owner') then
          create role cave_owner nologin nosuperuser nobypassrls;
        end if;
        if not exists (select from pg_roles where rolname = 'cave_app') then
          create role cave_app nologin nosuperuser nobypassrls nocreatedb nocreaterole;
        end if;
        if not exists (select from pg_roles where rolname = 'cave_admin') then
          create role cave_admin nologin nosuperuser bypassrls nocreatedb nocreaterole;
        end if;
      end $$;
    `);
    // The migrating user must be able to act as the owner; cave_owner then owns every object.
    await q.query(`grant cave_owner to current_user`);
    await q.query(`grant usage, create on schema public to cave_owner`);
    await q.query(`grant usage on schema public to cave_app, cave_admin`);
    await q.query(`set local role cave_owner`);

    await q.query(`
      create table events (
        global_position bigint generated always as identity primary key,
        transaction_id  xid8        not null default pg_current_xact_id(),
        event_id        uuid        not null unique,
        namespace       text        not null,
        stream_type     text        not null,
        stream_id       text        not null,
        stream_version  integer     not null check (stream_version > 0),
        event_type      text        not null,
        schema_version  integer     not null default 1 check (schema_version > 0),
        data            jsonb       not null,
        metadata        jsonb       not null,
        recorded_at     timestamptz not null default now(),
        constraint events_stream_version_unique unique (stream_id, stream_version)
      )`);
    // Commit-safe global order: (transaction_id, global_position). See docs/adr/0002.
    await q.query(`create index events_commit_order on events (transaction_id, global_position)`);
    await q.query(`create index events_namespace_position on events (namespace, global_position)`);
    await q.query(`create index events_type_position on events (event_type, global_position)`);

    await q.query(`
      create function cave_reject_event_change() returns trigger language plpgsql as $$
      begin
        raise exception 'events are immutable: % is not allowed', tg_op using errcode = 'CV001';
      end $$`);
    await q.query(`create trigger events_immutable_row before update or delete on events
                   for each row execute function cave_reject_event_change()`);
    await q.query(`create trigger events_immutable_truncate before truncate on events
                   for each statement execute function cave_reject_event_change()`);

    await q.query(`alter table events enable row level security`);
    await q.query(`alter table events force row level security`);
    await q.query(`create policy events_tenant on events for all to cave_app
                   using (namespace = current_setting('cave.namespace', true))
                   with check (namespace = current_setting('cave.namespace', true))`);
    await q.query(`revoke all on events from public`);
    await q.query(`grant select, insert on events to cave_app, cave_admin`);

    await q.query(`
      create table event_idempotency (
        stream_id       text not null,
        idempotency_key text not null,
        namespace       text not null,
        first_version   integer not null,
        last_version    integer not null,
        created_at      timestamptz not null default now(),
        primary key (stream_id, idempotency_key)
      )`);
    await q.query(`alter table event_idempotency enable row level security`);
    await q.query(`alter table event_idempotency force row level security`);
    await q.query(`create policy event_idempotency_tenant on event_idempotency for all to cave_app
                   using (namespace = current_setting('cave.namespace', true))
                   with check (namespace = current_setting('cave.namespace', true))`);
    await q.query(`revoke all on event_idempotency from public`);
    await q.query(`grant select, insert on event_idempotency to cave_app, cave_admin`);

    /*
     * One round trip per append: the namespace is set for the implicit transaction, an idempotent
     * retry returns the stored result, the expected version is checked, the batch is inserted set-based.
     * Security invoker, so RLS applies to the caller exactly as for plain SQL.
     * p_expected: -1 = any, 0 = no stream, n = the stream must be at version n.
     */
    await q.query(`
      create function cave_append(
        p_namespace text, p_stream_type text, p_stream_id text, p_expected bigint,
        p_events jsonb, p_idempotency_key text
      ) returns table (global_position bigint, stream_version integer, transaction_id text,
                       recorded_at timestamptz, replayed boolean)
      language plpgsql security invoker as $$
      declare
        v_current integer;
      begin
        perform set_config('cave.namespace', p_namespace, true);
        if p_idempotency_key is not null then
          return query
            select e.global_position, e.stream_version, e.transaction_id::text, e.recorded_at, true
            from event_idempotency i
            join events e on e.stream_id = i.stream_id
                         and e.stream_version between i.first_version and i.last_version
            where i.stream_id = p_stream_id and i.idempotency_key = p_idempotency_key
            order by e.stream_version;
          if found then return; end if;
        end if;

        select coalesce(max(e.stream_version), 0) into v_current from events e where e.stream_id = p_stream_id;
        if p_expected >= 0 and v_current <> p_expected then
          raise exception 'wrong expected version for stream %', p_stream_id
            using errcode = 'CV409', detail = json_build_object('expected', p_expected, 'actual', v_current)::text;
        end if;

        return query
          with ins as (
            insert into events (event_id, namespace, stream_type, stream_id, stream_version,
                                event_type, schema_version, data, metadata)
            select (el->>'eventId')::uuid, p_namespace, p_stream_type, p_stream_id, v_current + ord::integer,
                   el->>'type', coalesce((el->>'schemaVersion')::integer, 1), el->'data', el->'metadata'
            from jsonb_array_elements(p_events) with ordinality as t(el, ord)
            order by ord
            returning events.global_position, events.stream_version, events.transaction_id, events.recorded_at
          )
          select ins.global_position, ins.stream_version, ins.transaction_id::text, ins.recorded_at, false
          from ins order by ins.stream_version;

        if p_idempotency_key is not null then
          insert into event_idempotency (stream_id, idempotency_key, namespace, first_version, last_version)
          values (p_stream_id, p_idempotency_key, p_namespace, v_current + 1, v_current + jsonb_array_length(p_events));
        end if;
      end $$`);
    await q.query(`revoke all on function cave_append(text, text, text, bigint, jsonb, text) from public`);
    await q.query(`grant execute on function cave_append(text, text, text, bigint, jsonb, text) to cave_app, cave_admin`);
    await q.query(`reset role`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop function if exists cave_append(text, text, text, bigint, jsonb, text)`);
    await q.query(`drop table if exists event_idempotency`);
    await q.query(`drop table if exists events`);
    await q.query(`drop function if exists cave_reject_event_change()`);
  }
}
