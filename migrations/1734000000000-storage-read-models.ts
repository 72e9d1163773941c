import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Read models of the storage context (libs/storage), written inline by its commands in the same statement as the
 * append. Object bytes live in a blob backend; these rows are the only place listings and HEAD look. Keys and
 * names use the "C" collation so listings run in byte order, as S3's do.
 */
export class StorageReadModels1734000000000 implements MigrationInterface {
  name = 'StorageReadModels1734000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`set local role cave_owner`);
    await q.query(`
      create table buckets (
        namespace        text        not null,
        name             text        collate "C" not null,
        version          integer     not null,
        created_by       text,
        created_at       timestamptz not null,
        created_position bigint      not null,
        primary key (namespace, name)
      )`);
    await q.query(`
      create table objects (
        namespace     text        not null,
        bucket        text        collate "C" not null,
        key           text        collate "C" not null,
        size          bigint      not null check (size >= 0),
        sha256        text        not null,
        content_type  text        not null,
        blob          text        not null,
        version       integer     not null,
        stored_by     text,
        stored_at     timestamptz not null,
        last_position bigint      not null,
        primary key (namespace, bucket, key)
      )`);
    // The sweeper asks "does anything still use this blob?" across namespaces.
    await q.query(`create index objects_blob on objects (blob)`);
    await q.query(`
      create table object_uploads (
        namespace    text        not null,
        upload_id    uuid        not null,
        bucket       text        collate "C" not null,
        key          text        collate "C" not null,
        content_type text        not null,
        created_at   timestamptz not null,
        primary key (namespace, upload_id)
      )`);
    await q.query(`create index object_uploads_bucket on object_uploads (namespace, bucket)`);
    await q.query(`
      create table object_upload_parts (
        namespace   text    not null,
        upload_id   uuid    not null,
        part_number integer not null,
        size        bigint  not null,
        sha256      text    not null,
        blob        text    not null,
        primary key (namespace, upload_id, part_number)
      )`);
    await q.query(`create index object_upload_parts_blob on object_upload_parts (blob)`);
    for (const t of ['buckets', 'objects', 'object_uploads', 'object_upload_parts']) {
      await q.query(`alter table ${t} enable row level security`);
      await q.query(`alter table ${t} force row level security`);
      await q.query(`create policy ${t}_tenant on ${t} for all to cave_app
                     using (namespace = current_setting('cave.namespace', true))
                     with check (namespace = current_setting('cave.namespace', true))`);
      await q.query(`revoke all on ${t} from public`);
      // Inline projections run as the runtime role; the sweeper reads across namespaces as cave_admin.
      await q.query(`grant select, insert, update, delete on ${t} to cave_app`);
      await q.query(`grant select, insert, update, delete on ${t} to cave_admin`);
    }
    await q.query(`reset role`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['object_upload_parts', 'object_uploads', 'objects', 'buckets']) await q.query(`drop table if exists ${t}`);
  }
}
