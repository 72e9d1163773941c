import type { InlineProjection } from '@cave/event-store';
import type { BucketRow, ObjectRow } from './storage.read-model';
import type { BucketEvent, ObjectEvent } from '../contracts/storage.events';
import type { UploadEvent } from '../domain/upload.decider';
import { BUCKET_COLUMNS, OBJECT_COLUMNS } from './storage.read-model';

interface Context {
  namespace: string;
  actor?: string;
}

/**
 * Pure: one storage event -> the statement that applies it to its read model, reading the event's version,
 * position and time from `appended` (InlineProjection), so it runs in the append's own statement. Idempotent by
 * stream version (a replayed or older event changes nothing).
 */
export function bucketProjection(event: BucketEvent, c: Context): InlineProjection<BucketRow> {
  return { write: { statement: bucketStatement(event, c) }, toRow: (r) => r as unknown as BucketRow };
}

function bucketStatement(event: BucketEvent, c: Context): { text: string; values: unknown[] } {
  switch (event.type) {
    case 'bucket_created':
      return {
        text: `insert into buckets (namespace, name, version, created_by, created_at, created_position)
               select $1::text, $2::text, a.stream_version, $3::text, a.recorded_at, a.global_position
               from appended a where not a.replayed
               on conflict (namespace, name) do nothing
               returning ${BUCKET_COLUMNS}`,
        values: [c.namespace, event.data.bucket, c.actor ?? null],
      };
    case 'bucket_deleted':
      return {
        text: `delete from buckets b using appended a
               where b.namespace = $1::text and b.name = $2::text and b.version < a.stream_version and not a.replayed
               returning b.name, b.version, b.created_at`,
        values: [c.namespace, event.data.bucket],
      };
    default: {
      const unknown: never = event;
      throw new Error(`buckets projection: unhandled event ${JSON.stringify(unknown)}`);
    }
  }
}

export function objectProjection(event: ObjectEvent, c: Context): InlineProjection<ObjectRow> {
  return { write: { statement: objectStatement(event, c) }, toRow: (r) => r as unknown as ObjectRow };
}

function objectStatement(event: ObjectEvent, c: Context): { text: string; values: unknown[] } {
  switch (event.type) {
    case 'object_stored': {
      const d = event.data;
      return {
        text: `insert into objects as o (namespace, bucket, key, size, sha256, content_type, blob, version, stored_by, stored_at, last_position)
               select $1::text, $2::text, $3::text, $4::bigint, $5::text, $6::text, $7::text, a.stream_version, $8::text, a.recorded_at, a.global_position
               from appended a where not a.replayed
               on conflict (namespace, bucket, key) do update
                 set size = excluded.size, sha256 = excluded.sha256, content_type = excluded.content_type, blob = excluded.blob,
                     version = excluded.version, stored_by = excluded.stored_by, stored_at = excluded.stored_at, last_position = excluded.last_position
                 where o.version < excluded.version
               returning ${OBJECT_COLUMNS}`,
        values: [c.namespace, d.bucket, d.key, d.size, d.sha256, d.contentType, d.blob, c.actor ?? null],
      };
    }
    case 'object_deleted':
      return {
        text: `delete from objects o using appended a
               where o.namespace = $1::text and o.bucket = $2::text and o.key = $3::text and o.version < a.stream_version and not a.replayed
               returning ${OBJECT_COLUMNS.split(', ').map((col) => `o.${col}`).join(', ')}`,
        values: [c.namespace, event.data.bucket, event.data.key],
      };
    default: {
      const unknown: never = event;
      throw new Error(`objects projection: unhandled event ${JSON.stringify(unknown)}`);
    }
  }
}

/** Open uploads and their parts: what the sweeper must keep and what a bucket still holds. */
export function uploadProjection(event: UploadEvent, c: Context): InlineProjection<{ upload_id: string }> {
  return { write: { statement: uploadStatement(event, c) }, toRow: (r) => r as { upload_id: string } };
}

function uploadStatement(event: UploadEvent, c: Context): { text: string; values: unknown[] } {
  switch (event.type) {
    case 'multipart_upload_created': {
      const d = event.data;
      return {
        text: `insert into object_uploads (namespace, upload_id, bucket, key, content_type, created_at)
               select $1::text, $2::uuid, $3::text, $4::text, $5::text, a.recorded_at from appended a where not a.replayed
               on conflict do nothing returning upload_id`,
        values: [c.namespace, d.uploadId, d.bucket, d.key, d.contentType],
      };
    }
    case 'multipart_part_uploaded': {
      const d = event.data;
      return {
        text: `insert into object_upload_parts (namespace, upload_id, part_number, size, sha256, blob)
               select $1::text, $2::uuid, $3::integer, $4::bigint, $5::text, $6::text from appended a where not a.replayed
               on conflict (namespace, upload_id, part_number) do update set size = excluded.size, sha256 = excluded.sha256, blob = excluded.blob
               returning part_number`,
        values: [c.namespace, d.uploadId, d.partNumber, d.size, d.sha256, d.blob],
      };
    }
    case 'multipart_upload_completed':
    case 'multipart_upload_aborted':
      // Its parts' rows go in the same transaction (a data-modifying CTE cannot nest inside the append's).
      return {
        text: `delete from object_uploads u using appended a where u.namespace = $1::text and u.upload_id = $2::uuid and not a.replayed returning u.upload_id`,
        values: [c.namespace, event.data.uploadId],
      };
    default: {
      const unknown: never = event;
      throw new Error(`uploads projection: unhandled event ${JSON.stringify(unknown)}`);
    }
  }
}
