import type { PoolClient } from 'pg';
import type { Database } from '../database/database';
import { encodeCursor } from './event-cursor';
import { AppendResult } from './event.types';

const EARLIER_APPEND = {
  name: 'cave_idempotent_append_v1',
  text: `select e.global_position, e.stream_version, e.transaction_id::text as transaction_id, e.recorded_at
         from event_idempotency i
         join events e on e.stream_id = i.stream_id and e.stream_version between i.first_version and i.last_version
         where i.stream_id = $1 and i.idempotency_key = $2 order by e.stream_version`,
};

/** The result of an earlier append to `streamId` with this idempotency key, if there was one. */
export async function findIdempotentAppend(
  db: Database,
  streamId: string,
  idempotencyKey: string,
  namespace: string,
  client?: PoolClient,
): Promise<AppendResult | undefined> {
  type Row = { global_position: string; stream_version: number; transaction_id: string; recorded_at: Date };
  const values = [streamId, idempotencyKey];
  // Without a caller's transaction: one tenant round trip (Database.tenantQuery).
  const rows = client ? (await client.query<Row>({ text: EARLIER_APPEND.text, values })).rows : (await db.tenantQuery<Row>(namespace, EARLIER_APPEND, values)).rows;
  if (rows.length === 0) return undefined;
  const last = rows[rows.length - 1];
  return {
    streamId,
    nextExpectedVersion: last.stream_version,
    globalPositions: rows.map((r) => Number(r.global_position)),
    cursor: encodeCursor({ transactionId: BigInt(last.transaction_id), globalPosition: BigInt(last.global_position) }),
    recordedAt: last.recorded_at,
    replayed: true,
  };
}
