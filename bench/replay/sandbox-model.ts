import type { PoolClient } from 'pg';

/**
 * A sandbox-shaped read model for the replay benchmark: one row per sandbox with status, version,
 * exec count and last exit code. Shared by the runtime projection and the bare loop so both do the
 * same database work: fold a batch in memory, then one set-based upsert.
 */
export interface MiniEvent {
  streamId: string;
  namespace: string;
  type: string;
  version: number;
  position: number;
  data: unknown;
}

interface Delta {
  namespace: string;
  image: string | null;
  status: string | null;
  version: number;
  execs: number;
  lastExit: number | null;
  position: number;
}

const STATUS: Record<string, string> = {
  sandbox_created: 'created',
  sandbox_started: 'running',
  sandbox_stopped: 'stopped',
  sandbox_deleted: 'deleted',
};

export function foldBatch(events: MiniEvent[]): Map<string, Delta> {
  const out = new Map<string, Delta>();
  for (const e of events) {
    let d = out.get(e.streamId);
    if (!d) {
      d = { namespace: e.namespace, image: null, status: null, version: 0, execs: 0, lastExit: null, position: 0 };
      out.set(e.streamId, d);
    }
    const data = e.data as { image?: string; exitCode?: number };
    if (e.type === 'sandbox_created') d.image = data.image ?? null;
    if (e.type === 'sandbox_exec') {
      d.execs++;
      d.lastExit = data.exitCode ?? null;
    }
    d.status = STATUS[e.type] ?? d.status;
    d.version = e.version;
    d.position = e.position;
  }
  return out;
}

/** `table` must already be a safe, quoted identifier. */
export async function upsertDeltas(client: Pick<PoolClient, 'query'>, table: string, deltas: Map<string, Delta>): Promise<void> {
  if (deltas.size === 0) return;
  const cols: unknown[][] = [[], [], [], [], [], [], [], []];
  for (const [id, d] of deltas) {
    cols[0].push(id);
    cols[1].push(d.namespace);
    cols[2].push(d.image);
    cols[3].push(d.status);
    cols[4].push(d.version);
    cols[5].push(d.execs);
    cols[6].push(d.lastExit);
    cols[7].push(d.position);
  }
  await client.query(
    `insert into ${table} as t (sandbox_id, namespace, image, status, version, exec_count, last_exit_code, last_position)
     select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[], $6::int[], $7::int[], $8::bigint[])
     on conflict (sandbox_id) do update set
       image = coalesce(excluded.image, t.image), status = coalesce(excluded.status, t.status), version = excluded.version,
       exec_count = t.exec_count + excluded.exec_count, last_exit_code = coalesce(excluded.last_exit_code, t.last_exit_code),
       last_position = excluded.last_position`,
    cols,
  );
}

export function createTableSql(table: string): string[] {
  return [
    `create table ${table} (sandbox_id text primary key, namespace text not null, image text, status text,
       version integer not null, exec_count integer not null, last_exit_code integer, last_position bigint not null)`,
    `create index ${table}_namespace on ${table} (namespace)`,
    `alter table ${table} enable row level security`,
    `alter table ${table} force row level security`,
    `create policy ${table}_tenant on ${table} for select to cave_app using (namespace = current_setting('cave.namespace', true))`,
    `grant select on ${table} to cave_app`,
    `grant select, insert, update, delete on ${table} to cave_admin`,
  ];
}

/** Events of `sandboxes` sandboxes (5 each: created, started, exec, exec, stopped), interleaved across streams. */
export const GENERATE_SQL = `
  insert into events (event_id, namespace, stream_type, stream_id, stream_version, event_type, data, metadata)
  select gen_random_uuid(), 'ns-' || (s % 10), 'sandbox', 'sandbox-' || s, v,
    (array['sandbox_created','sandbox_started','sandbox_exec','sandbox_exec','sandbox_stopped'])[v],
    case v when 1 then jsonb_build_object('image', 'quickjs', 'limits', jsonb_build_object('memoryMb', 64, 'timeoutMs', 5000))
           when 3 then jsonb_build_object('exitCode', s % 3, 'durationMs', 12, 'outputDigest', md5(s::text))
           when 4 then jsonb_build_object('exitCode', 0, 'durationMs', 7, 'outputDigest', md5((s + 1)::text))
           else '{}'::jsonb end,
    jsonb_build_object('actor', 'bench-key', 'correlationId', 'c-' || s)
  from generate_series($1::int, $2::int) s, generate_series(1, 5) v
  order by v, s`;
