export { StorageModule } from './storage.module';
export { BLOB_STORE } from './contracts/blob-store.port';
export type { BlobStore, StoredBlob } from './contracts/blob-store.port';
export { BUCKET_EVENT_TYPES, BUCKET_STREAM_TYPE, bucketStreamId, OBJECT_EVENT_TYPES, OBJECT_STREAM_TYPE, UPLOAD_STREAM_TYPE } from './contracts/storage.events';
export type { BucketEvent, BucketEventData, ObjectDeletedData, ObjectEvent, ObjectStoredData } from './contracts/storage.events';
