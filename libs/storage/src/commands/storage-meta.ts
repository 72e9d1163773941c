import type { RecordedEvent } from '@cave/event-store';

/** Who asked, recorded on every storage event. */
export interface StorageCommandMeta {
  namespace: string;
  /** API key id, or `signed-url:<issuer key id>` for a signed PUT. */
  actor: string;
  correlationId?: string;
}

/** The stored event as the decider sees it (storage events have no upcasters yet). */
export function asDomainEvent<E>(e: RecordedEvent): E {
  return { type: e.type, data: e.data } as E;
}

export function appendOptions(meta: StorageCommandMeta, streamType: string, client: import('pg').PoolClient) {
  return { namespace: meta.namespace, streamType, actor: meta.actor, correlationId: meta.correlationId, client };
}
