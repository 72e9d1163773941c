import { EVENT, param } from '@cave/event-store';
import type { InlineProjection, RowWrite } from '@cave/event-store';
import type { BucketRow, ObjectRow } from './storage.read-model';
import type { BucketEvent, ObjectEvent } from '../contracts/storage.events';
import type { UploadEvent } from '../domain/upload.decider';
import { BUCKET_COLUMNS, OBJECT_COLUMNS } from './storage.read-model';

interface Context {
  namespace: string;
  actor?: string;
}

/**
 * Pure: one storage event -> the write that applies it to its read model in the append's own statement
 * (InlineProjection). Idempotent by stream version (a replayed or older event changes nothing).
 *
 * Inserts use the store's typed `InsertRow`. The other writes are `StatementWrite`s, the store's escape hatch,
 * because its typed shapes cannot say them: a delete (a deleted bucket, object or finished upload leaves no row)
 * and an upsert that replaces an older row (an object key stored again, a part uploaded again). Those statements
 * follow the hatch's rules: they read `appended` (alias `a`), guard by stream version where the row has one, and
 * write nothing for a replayed append (`not a.replayed`).
 */
export function bucketProjection(event: BucketEvent, c: Context): InlineProjection<BucketRow> {
  return { write: bucketWrite(event, c), toRow: (r) => r as unknown as BucketRow };
}

function bucketWrite(event: BucketEvent, c: Context): RowWrite {
  switch (event.type) {
    case 'bucket_created':
      return {
        insert: 'buckets',
        columns: {
          namespace: param(c.namespace, 'text'),
          name: param(event.data.bucket, 'text'),
          version: EVENT.streamVersion,
          created_by: param(c.actor ?? null, 'text'),
          created_at: EVENT.recordedAt,
          created_position: EVENT.globalPosition,
        },
        key: 'namespace, name',
        returning: BUCKET_COLUMNS.split(', '),
      };
    case 'bucket_deleted':
      return {
        statement: {
          text: `delete from buckets b using appended a
               where b.namespace = $1::text and b.name = $2::text and b.version < a.stream_version and not a.replayed
               returning b.name, b.version, b.created_at`,
          values: [c.namespace, event.data.bucket],
        },
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

/** Both object writes need the escape hatch: `object_stored` replaces an older row, `object_deleted` deletes it. */
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
  return { write: uploadWrite(event, c), toRow: (r) => r as { upload_id: string } };
}

function uploadWrite(event: UploadEvent, c: Context): RowWrite {
  switch (event.type) {
    case 'multipart_upload_created': {
      const d = event.data;
      return {
        insert: 'object_uploads',
        columns: {
          namespace: param(c.namespace, 'text'),
          upload_id: param(d.uploadId, 'uuid'),
          bucket: param(d.bucket, 'text'),
          key: param(d.key, 'text'),
          content_type: param(d.contentType, 'text'),
          created_at: EVENT.recordedAt,
        },
        // The primary key, the table's only unique constraint.
        key: 'namespace, upload_id',
        returning: ['upload_id'],
      };
    }
    case 'multipart_part_uploaded': {
      // Escape hatch: a part uploaded again replaces the earlier one (the typed insert would keep the first).
      const d = event.data;
      return {
        statement: {
          text: `insert into object_upload_parts (namespace, upload_id, part_number, size, sha256, blob)
               select $1::text, $2::uuid, $3::integer, $4::bigint, $5::text, $6::text from appended a where not a.replayed
               on conflict (namespace, upload_id, part_number) do update set size = excluded.size, sha256 = excluded.sha256, blob = excluded.blob
               returning part_number`,
          values: [c.namespace, d.uploadId, d.partNumber, d.size, d.sha256, d.blob],
        },
      };
    }
    case 'multipart_upload_completed':
    case 'multipart_upload_aborted':
      // Escape hatch (a delete). Its parts' rows go in the same transaction (a data-modifying CTE cannot nest
      // inside the append's).
      return {
        statement: {
          text: `delete from object_uploads u using appended a where u.namespace = $1::text and u.upload_id = $2::uuid and not a.replayed returning u.upload_id`,
          values: [c.namespace, event.data.uploadId],
        },
      };
    default: {
      const unknown: never = event;
      throw new Error(`uploads projection: unhandled event ${JSON.stringify(unknown)}`);
    }
  }
}
