import { asDomainEvent, type CommandStream } from '@cave/event-store';
import type { CommandMeta } from '@cave/kernel';
import { BUCKET_STREAM_TYPE, BucketEvent, OBJECT_STREAM_TYPE, ObjectEvent, UPLOAD_STREAM_TYPE } from '../contracts/storage.events';
import { bucketDecider, BucketCommand, BucketState } from '../domain/bucket.decider';
import { objectDecider, ObjectCommand, ObjectState } from '../domain/object.decider';
import { uploadDecider, UploadCommand, UploadEvent, UploadState } from '../domain/upload.decider';

/** Who asked (CommandMeta of the edge), recorded on every storage event. A signed PUT's actor is `signed-url:<issuer>`. */
export type StorageCommandMeta = CommandMeta;

export const BUCKET_STREAM: CommandStream<BucketCommand, BucketState, BucketEvent> = { decider: bucketDecider, streamType: BUCKET_STREAM_TYPE, toEvent: asDomainEvent };
export const OBJECT_STREAM: CommandStream<ObjectCommand, ObjectState, ObjectEvent> = { decider: objectDecider, streamType: OBJECT_STREAM_TYPE, toEvent: asDomainEvent };
export const UPLOAD_STREAM: CommandStream<UploadCommand, UploadState, UploadEvent> = { decider: uploadDecider, streamType: UPLOAD_STREAM_TYPE, toEvent: asDomainEvent };
