import { encodeCursor } from './event-cursor';
import { RecordedEvent } from './event.types';

/** Column list shared by every read so rows always map the same way. */
export const EVENT_COLUMNS = `global_position, transaction_id::text as xid, event_id, namespace, stream_type,
  stream_id, stream_version, event_type, schema_version, data, metadata, recorded_at`;

export interface EventRow {
  global_position: string;
  /** Aliased: ORDER BY would otherwise sort by the text alias instead of the xid8 column. */
  xid: string;
  event_id: string;
  namespace: string;
  stream_type: string;
  stream_id: string;
  stream_version: number;
  event_type: string;
  schema_version: number;
  data: unknown;
  metadata: Record<string, unknown>;
  recorded_at: Date;
}

export function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    globalPosition: Number(row.global_position),
    transactionId: row.xid,
    eventId: row.event_id,
    namespace: row.namespace,
    streamType: row.stream_type,
    streamId: row.stream_id,
    streamVersion: row.stream_version,
    type: row.event_type,
    schemaVersion: row.schema_version,
    data: row.data,
    metadata: row.metadata,
    recordedAt: row.recorded_at,
    cursor: encodeCursor({ transactionId: BigInt(row.xid), globalPosition: BigInt(row.global_position) }),
  };
}
