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

const BUCKET_RETURNING = BUCKET_COLUMNS.split(', ');
const OBJECT_RETURNING = OBJECT_COLUMNS.split(', ');

/**
 * Pure: one storage event -> the write that applies it to its read model in the append's own statement
 * (InlineProjection), described as data for the store to render. Idempotent: a replayed append writes nothing,
 * and a bucket or object row changes only for an event newer than its version.
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
        returning: BUCKET_RETURNING,
      };
    case 'bucket_deleted':
      return {
        delete: 'buckets',
        alias: 'b',
        key: { namespace: param(c.namespace, 'text'), name: param(event.data.bucket, 'text') },
        versionColumn: 'version',
        returning: BUCKET_RETURNING,
      };
    default: {
      const unknown: never = event;
      throw new Error(`buckets projection: unhandled event ${JSON.stringify(unknown)}`);
    }
  }
}

export function objectProjection(event: ObjectEvent, c: Context): InlineProjection<ObjectRow> {
  return { write: objectWrite(event, c), toRow: (r) => r as unknown as ObjectRow };
}

function objectWrite(event: ObjectEvent, c: Context): RowWrite {
  switch (event.type) {
    case 'object_stored': {
      const d = event.data;
      return {
        insert: 'objects',
        columns: {
          namespace: param(c.namespace, 'text'),
          bucket: param(d.bucket, 'text'),
          key: param(d.key, 'text'),
          size: param(d.size, 'bigint'),
          sha256: param(d.sha256, 'text'),
          content_type: param(d.contentType, 'text'),
          blob: param(d.blob, 'text'),
          version: EVENT.streamVersion,
          stored_by: param(c.actor ?? null, 'text'),
          stored_at: EVENT.recordedAt,
          last_position: EVENT.globalPosition,
        },
        key: 'namespace, bucket, key',
        // A key stored again replaces the older row (an overwrite bumps the version).
        onConflict: { replaceOlder: 'version' },
        returning: OBJECT_RETURNING,
      };
    }
    case 'object_deleted':
      return {
        delete: 'objects',
        alias: 'o',
        key: { namespace: param(c.namespace, 'text'), bucket: param(event.data.bucket, 'text'), key: param(event.data.key, 'text') },
        versionColumn: 'version',
        returning: OBJECT_RETURNING,
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
      const d = event.data;
      return {
        insert: 'object_upload_parts',
        columns: {
          namespace: param(c.namespace, 'text'),
          upload_id: param(d.uploadId, 'uuid'),
          part_number: param(d.partNumber, 'integer'),
          size: param(d.size, 'bigint'),
          sha256: param(d.sha256, 'text'),
          blob: param(d.blob, 'text'),
        },
        key: 'namespace, upload_id, part_number',
        // A part uploaded again replaces the earlier one (parts carry no version; the upload stream orders them).
        onConflict: 'replace',
        returning: ['part_number'],
      };
    }
    case 'multipart_upload_completed':
    case 'multipart_upload_aborted':
      // Its parts' rows go in the same transaction (a data-modifying CTE cannot nest inside the append's).
      return {
        delete: 'object_uploads',
        alias: 'u',
        key: { namespace: param(c.namespace, 'text'), upload_id: param(event.data.uploadId, 'uuid') },
        returning: ['upload_id'],
      };
    default: {
      const unknown: never = event;
      throw new Error(`uploads projection: unhandled event ${JSON.stringify(unknown)}`);
    }
  }
}
