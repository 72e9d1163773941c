import { Inject, Injectable, Logger } from '@nestjs/common';
import type { PoolClient } from 'pg';
import type { Readable } from 'node:stream';
import { CAVE_CONFIG, CaveConfig } from '@cave/config';
import { ConcurrencyError, Database, EventStore, CommandRunner } from '@cave/event-store';
import { BLOB_BACKEND, BlobBackend, WrittenBlob } from '../backends/blob-backend';
import { assertBucketName, assertObjectKey } from '../domain/names';
import { checkPreconditions, Preconditions } from '../domain/object.decider';
import { checkQuota, quotaOf } from '../domain/quota';
import { BlobMissingError, BucketNotFoundError, ContentLengthMismatchError, ObjectTooLargeError, UploadAbortedError } from '../domain/storage.errors';
import { objectStreamId } from '../domain/streams';
import { objectProjection } from '../projections/storage.write';
import { OBJECT_COLUMNS, ObjectRow, ObjectView, toObjectView } from '../projections/storage.read-model';
import { StorageMetrics } from '../storage.metrics';
import { OBJECT_STREAM, StorageCommandMeta } from './storage-meta';
import { lockBlobShared, lockBucketShared, lockUsage, readUsage } from './storage-usage';

export interface ObjectTarget {
  bucket: string;
  key: string;
  contentType: string;
  preconditions: Preconditions;
}

const RETRIES = 5;

/**
 * The write path every upload shares (PUT, signed PUT, multipart completion, the BlobStore port):
 * 1. check bucket, preconditions and quota against the read model before reading a byte;
 * 2. stream the body to the backend (durable when it resolves);
 * 3. in one tenant transaction re-check all of it under locks and append `object_stored` with its row.
 * Until 3 commits the bytes are an orphan nobody can see; the sweeper collects them if 3 never happens.
 */
@Injectable()
export class ObjectWriter {
  private readonly logger = new Logger('Storage');

  constructor(
    private readonly db: Database,
    private readonly store: EventStore,
    private readonly runner: CommandRunner,
    @Inject(BLOB_BACKEND) private readonly backend: BlobBackend,
    @Inject(CAVE_CONFIG) private readonly config: CaveConfig,
    private readonly metrics: StorageMetrics,
  ) {}

  async put(target: ObjectTarget, body: Readable, size: number | undefined, meta: StorageCommandMeta): Promise<ObjectView> {
    assertBucketName(target.bucket);
    assertObjectKey(target.key);
    if (size !== undefined) {
      if (size > this.config.storage.maxObjectBytes) throw new ObjectTooLargeError(this.config.storage.maxObjectBytes);
      await this.db.tenant(meta.namespace, (c) => this.check(c, meta.namespace, target, size));
    }
    const written = await this.receive(body, size);
    return this.commit(target, written, meta);
  }

  /** Streams a body to the backend, mapping a client that went away to a clean 4xx. */
  async receive(body: Readable, size: number | undefined): Promise<WrittenBlob> {
    try {
      const written = await this.backend.write(body, { expectedSize: size });
      this.metrics.bytesWritten.inc({ backend: this.backend.name }, written.size);
      return written;
    } catch (e) {
      if (e instanceof ContentLengthMismatchError) throw e;
      if (body.destroyed || (body as { aborted?: boolean }).aborted || (e as { code?: string }).code === 'ECONNRESET' || (e as { code?: string }).code === 'ERR_STREAM_PREMATURE_CLOSE') {
        throw new UploadAbortedError();
      }
      throw e;
    }
  }

  /** Makes an already durable blob the object's current version (step 3). */
  async commit(target: ObjectTarget, written: WrittenBlob, meta: StorageCommandMeta, inTransaction?: (client: PoolClient) => Promise<void>): Promise<ObjectView> {
    for (let attempt = 1; ; attempt++) {
      try {
        const view = await this.db.tenant(meta.namespace, async (client) => {
          // First, so a multipart completion's parts stop counting before the quota sees the whole object.
          await inTransaction?.(client);
          await this.check(client, meta.namespace, target, written.size, true);
          await lockBlobShared(client, written.blob);
          if (!(await this.backend.exists(written.blob))) throw new BlobMissingError();
          const result = await this.runner.run(OBJECT_STREAM, {
              streamId: objectStreamId(meta.namespace, target.bucket, target.key),
              command: {
                type: 'store',
                data: { bucket: target.bucket, key: target.key, size: written.size, sha256: written.sha256, contentType: target.contentType, blob: written.blob },
                preconditions: target.preconditions,
              },
              meta: meta,
          client,
              project: (event) => objectProjection(event, { namespace: meta.namespace, actor: meta.actor }),
            });
          return toObjectView(result.projected!);
        });
        this.logger.log({ msg: 'object stored', namespace: meta.namespace, bucket: target.bucket, size: view.size, sha256: view.sha256, version: view.version, actor: meta.actor, correlationId: meta.correlationId });
        return view;
      } catch (e) {
        // Two writers of one key without preconditions: last writer wins, as in S3, so the loser re-decides.
        const unconditional = target.preconditions.ifMatch === undefined && target.preconditions.ifNoneMatch === undefined;
        if (e instanceof ConcurrencyError && unconditional && attempt < RETRIES) continue;
        throw e;
      }
    }
  }

  /**
   * Bucket, preconditions and quota against the read model. With `locked`, inside the commit's transaction:
   * the bucket row is share-locked (a deletion waits) and the namespace's usage lock is held.
   */
  private async check(client: PoolClient, namespace: string, target: ObjectTarget, size: number, locked = false): Promise<void> {
    const exists = locked ? await lockBucketShared(client, target.bucket) : (await client.query(`select 1 from buckets where name = $1`, [target.bucket])).rowCount! > 0;
    if (!exists) throw new BucketNotFoundError(target.bucket);
    const current = await client.query<ObjectRow>(`select ${OBJECT_COLUMNS} from objects where bucket = $1 and key = $2`, [target.bucket, target.key]);
    const row = current.rows[0];
    checkPreconditions(target.preconditions, row?.sha256);
    if (locked) await lockUsage(client, namespace);
    const usage = await readUsage(client);
    checkQuota(quotaOf(this.config.storage, namespace), usage, size - Number(row?.size ?? 0), row ? 0 : 1);
  }
}
