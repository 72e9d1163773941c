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
      for (const e of events) {
        await opts.before?.(e, ctx);
        await client.query(
          `insert into ${ctx.table(opts.table)} as t (stream_id, namespace, events, last_version, total, positions)
           values ($1, $2, 1, $3, $4, array[$5::bigint])
           on conflict (stream_id) do update set events = t.events + 1, last_version = excluded.last_version,
             total = t.total + excluded.total, positions = t.positions || excluded.positions`,
          [e.streamId, e.namespace, e.streamVersion, (e.data as { n?: number }).n ?? 0, e.globalPosition],
        );
      }
    },
  };
}
