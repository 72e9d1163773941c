import type { PoolClient } from 'pg';
import { asDomainEvent, EventStore } from '@cave/event-store';
import { fold } from '@cave/kernel';
import { UploadNotFoundError } from '../domain/storage.errors';
import { KnownUpload, uploadDecider, UploadEvent } from '../domain/upload.decider';
import { uploadStreamId } from '../domain/streams';

/** The upload folded from its stream; an upload of another bucket (or namespace) is not found. */
export async function loadUpload(store: EventStore, client: PoolClient, namespace: string, bucket: string, uploadId: string): Promise<KnownUpload> {
  const events = await store.readStream(uploadStreamId(namespace, uploadId), { namespace, client });
  const state = fold(uploadDecider, events.map(asDomainEvent<UploadEvent>));
  if (state.status === 'absent' || state.bucket !== bucket) throw new UploadNotFoundError(uploadId);
  return state;
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
