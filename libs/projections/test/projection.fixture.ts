import { Client } from 'pg';
import type { RecordedEvent } from '@cave/event-store';
import { Projection, ProjectionContext } from '../src/runtime/projection';

/** Test-only helpers: a read-model table registered for rebuilds and a counting projection over it. */
export async function createReadModelTable(ownerUrl: string, table: string): Promise<void> {
  const c = new Client({ connectionString: ownerUrl });
  await c.connect();
  try {
    await c.query('set role cave_owner');
    // Deliberately no unique key on the effect log: a doubled effect must show up as a second row.
    await c.query(`create table ${table} (
      stream_id text primary key, namespace text not null, events integer not null, last_version integer not null,
      total bigint not null, positions bigint[] not null)`);
    await c.query(`create index ${table}_namespace on ${table} (namespace)`);
    await c.query(`alter table ${table} enable row level security`);
    await c.query(`alter table ${table} force row level security`);
    await c.query(`create policy ${table}_tenant on ${table} for select to cave_app using (namespace = current_setting('cave.namespace', true))`);
    await c.query(`grant select on ${table} to cave_app`);
    await c.query(`grant select, insert, update, delete on ${table} to cave_admin`);
    await c.query(`insert into projection_read_models (table_name) values ($1)`, [table]);
  } finally {
    await c.end();
  }
}

export interface TallyOptions {
  name: string;
  table: string;
  /** Called per event before it is written; may throw (poison) or block (crash simulation). */
  before?: (e: RecordedEvent, ctx: ProjectionContext) => Promise<void> | void;
  batchSize?: number;
}

/**
 * Per stream: number of events, last version, sum of `data.n` and every position seen. Not
 * idempotent on purpose: applying an event twice changes `events`, `total` and `positions`.
 */
export function tallyProjection(opts: TallyOptions): Projection {
  return {
    name: opts.name,
    version: 1,
    eventTypes: ['tick'],
    tables: [opts.table],
    batchSize: opts.batchSize ?? 50,
    async handle(events, client, ctx) {
      for (const e of events) await opts.before?.(e, ctx);
      // One statement per batch, not per event: catching up thousands of events on a loaded machine must
      // not cost a round trip each. Grouped per stream because one insert cannot update a row twice.
      await client.query(
        `insert into ${ctx.table(opts.table)} as t (stream_id, namespace, events, last_version, total, positions)
         select stream_id, min(namespace), count(*)::int, max(version)::int, sum(n)::bigint, array_agg(pos order by pos)
           from unnest($1::text[], $2::text[], $3::int[], $4::bigint[], $5::bigint[]) as u(stream_id, namespace, version, n, pos)
          group by stream_id
         on conflict (stream_id) do update set events = t.events + excluded.events, last_version = excluded.last_version,
           total = t.total + excluded.total, positions = t.positions || excluded.positions`,
        [
          events.map((e) => e.streamId),
          events.map((e) => e.namespace),
          events.map((e) => e.streamVersion),
          events.map((e) => (e.data as { n?: number }).n ?? 0),
          events.map((e) => e.globalPosition),
        ],
      );
    },
  };
}
