import type { PoolClient } from 'pg';
import type { Usage } from '../domain/quota';

/**
 * What the caller's namespace holds (RLS scopes every table to it): stored objects plus parts of open multipart
 * uploads, which are bytes on the backend too.
 */
export async function readUsage(client: PoolClient): Promise<Usage> {
  const { rows } = await client.query<{ bytes: string; objects: string }>(
    `select (select coalesce(sum(size), 0) from objects) + (select coalesce(sum(size), 0) from object_upload_parts) as bytes,
            (select count(*) from objects) as objects`,
  );
  return { bytes: Number(rows[0].bytes), objects: Number(rows[0].objects) };
}

/** Serialises the commits of one namespace that change its usage, so two uploads cannot both take the last byte. */
export async function lockUsage(client: PoolClient, namespace: string): Promise<void> {
  await client.query(`select pg_advisory_xact_lock(hashtextextended('cave.storage.usage:' || $1::text, 0))`, [namespace]);
}

/**
 * A commit that references `blob` holds this lock (shared) until it commits; the sweeper takes it exclusively to
 * check-and-delete. So the sweeper never deletes bytes between a commit's check and its event.
 */
export async function lockBlobShared(client: PoolClient, blob: string): Promise<void> {
  await client.query(`select pg_advisory_xact_lock_shared(hashtextextended('cave.storage.blob:' || $1::text, 0))`, [blob]);
}

/** The bucket row, locked against a concurrent bucket deletion until this transaction ends; false if absent. */
export async function lockBucketShared(client: PoolClient, bucket: string): Promise<boolean> {
  const { rowCount } = await client.query(`select 1 from buckets where name = $1 for share`, [bucket]);
  return (rowCount ?? 0) > 0;
}
