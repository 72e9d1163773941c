import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { CAVE_CONFIG, CaveConfig } from '@cave/config';
import { BLOB_BACKEND, BlobBackend } from './backends/blob-backend';
import { FsBlobBackend } from './backends/fs-blob-backend';
import { S3BlobBackend } from './backends/s3-blob-backend';
import { BlobStoreAdapter } from './blob-store.adapter';
import { AbortUploadHandler } from './commands/abort-upload/abort-upload.handler';
import { CompleteUploadHandler } from './commands/complete-upload/complete-upload.handler';
import { CreateBucketHandler } from './commands/create-bucket/create-bucket.handler';
import { CreateUploadHandler } from './commands/create-upload/create-upload.handler';
import { DeleteBucketHandler } from './commands/delete-bucket/delete-bucket.handler';
import { DeleteObjectHandler } from './commands/delete-object/delete-object.handler';
import { ObjectWriter } from './commands/object-writer';
import { PutObjectHandler } from './commands/put-object/put-object.handler';
import { UploadPartHandler } from './commands/upload-part/upload-part.handler';
import { BLOB_STORE } from './contracts/blob-store.port';
import { BucketsController } from './http/buckets.controller';
import { ObjectResponder } from './http/object-responder';
import { ObjectsController } from './http/objects.controller';
import { SignedController } from './http/signed.controller';
import { StorageAdminController } from './http/storage-admin.controller';
import { UploadsController } from './http/uploads.controller';
import { GetBucketHandler } from './queries/get-bucket/get-bucket.handler';
import { GetObjectHandler } from './queries/get-object/get-object.handler';
import { ListBucketsHandler } from './queries/list-buckets/list-buckets.handler';
import { ListObjectsHandler } from './queries/list-objects/list-objects.handler';
import { ListPartsHandler } from './queries/list-parts/list-parts.handler';
import { OpenObjectHandler } from './queries/open-object/open-object.handler';
import { UrlSigner } from './signing/url-signer';
import { StorageMetrics } from './storage.metrics';
import { BlobSweeper } from './sweeper/blob-sweeper';

async function createBackend(config: CaveConfig): Promise<BlobBackend> {
  const s = config.storage;
  if (s.backend === 's3') return new S3BlobBackend({ ...s.s3, bucket: s.s3.bucket! });
  const fs = new FsBlobBackend(s.fsRoot);
  await fs.init();
  return fs;
}

/**
 * The storage bounded context: buckets and objects per namespace under `/api/v1/storage`, metadata as events
 * with `buckets`/`objects` read models, bytes on the configured backend (fs or S3), signed URLs, quotas, the
 * orphan sweeper, and the `BlobStore` port (token `BLOB_STORE`) for other contexts.
 */
@Module({
  imports: [CqrsModule],
  controllers: [BucketsController, ObjectsController, UploadsController, SignedController, StorageAdminController],
  providers: [
    { provide: BLOB_BACKEND, inject: [CAVE_CONFIG], useFactory: createBackend },
    { provide: UrlSigner, inject: [CAVE_CONFIG], useFactory: (c: CaveConfig) => UrlSigner.fromConfig(c.storage.signingSecret, c.storage.fsRoot) },
    { provide: BLOB_STORE, useExisting: BlobStoreAdapter },
    BlobStoreAdapter,
    StorageMetrics,
    ObjectWriter,
    ObjectResponder,
    BlobSweeper,
    CreateBucketHandler,
    DeleteBucketHandler,
    PutObjectHandler,
    DeleteObjectHandler,
    CreateUploadHandler,
    UploadPartHandler,
    CompleteUploadHandler,
    AbortUploadHandler,
    ListBucketsHandler,
    GetBucketHandler,
    ListObjectsHandler,
    GetObjectHandler,
    OpenObjectHandler,
    ListPartsHandler,
  ],
  exports: [BLOB_STORE],
})
export class StorageModule {}
