import type { PoolClient } from 'pg';
import type { Database } from '../database/database';
import { EVENT_COLUMNS, EventRow, toRecordedEvent } from './event-row.mapper';
import { RecordedEvent } from './event.types';
import type { UpcasterRegistry } from './upcaster-registry';

export interface ReadStreamOptions {
  namespace: string;
  fromVersion?: number;
  toVersion?: number;
  /** Only events at or below this global position (time travel). */
  toPosition?: number;
  /** Only events recorded at or before this instant (time travel). */
  toTime?: Date;
  /** Read inside the caller's transaction (already scoped to `namespace` by `Database.tenant`). */
  client?: PoolClient;
}

/** A whole stream, the common read (a command's history): one tenant round trip through `Database.tenantQuery`. */
const WHOLE_STREAM = { name: 'cave_read_stream_v1', text: `select ${EVENT_COLUMNS} from events where stream_id = $1 order by stream_version` };

/** Events of one stream in version order, upcast; empty when the stream is not in `namespace`. */
export async function readStream(db: Database, upcasters: UpcasterRegistry, streamId: string, opts: ReadStreamOptions): Promise<RecordedEvent[]> {
  const conds = ['stream_id = $1'];
  const params: unknown[] = [streamId];
  const add = (sql: string, v: unknown) => {
    params.push(v);
    conds.push(sql.replace('?', `$${params.length}`));
  };
  if (opts.fromVersion !== undefined) add('stream_version >= ?', opts.fromVersion);
  if (opts.toVersion !== undefined) add('stream_version <= ?', opts.toVersion);
  if (opts.toPosition !== undefined) add('global_position <= ?', opts.toPosition);
  if (opts.toTime !== undefined) add('recorded_at <= ?', opts.toTime);
  const read = async (c: Pick<PoolClient, 'query'>) =>
    (await c.query<EventRow>(`select ${EVENT_COLUMNS} from events where ${conds.join(' and ')} order by stream_version`, params)).rows;
  const rows = opts.client
    ? await read(opts.client)
    : params.length === 1
      ? (await db.tenantQuery<EventRow>(opts.namespace, WHOLE_STREAM, params)).rows
      : await db.tenant(opts.namespace, read);
  return rows.map((r) => upcasters.upcast(toRecordedEvent(r)));
}

/** Current version of a stream (0 when it does not exist in `namespace`). */
export async function streamVersion(db: Database, streamId: string, namespace: string): Promise<number> {
  return db.tenant(namespace, async (c) => {
    const { rows } = await c.query<{ v: number }>('select coalesce(max(stream_version), 0)::int as v from events where stream_id = $1', [streamId]);
    return rows[0].v;
  });
}
