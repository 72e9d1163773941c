import { createHash } from 'node:crypto';
import type { PoolClient } from 'pg';
import type { RecordedEvent } from '@cave/event-store';
import type { Projection } from '@cave/projections';
import { WebhookSources } from '../contracts/webhook-sources';

/** The namespace that holds deliveries to the operator's endpoint (admins see them; tenants do not). */
export const OPERATOR_NAMESPACE = 'system';

/** Same event + same target = same delivery id, so a replayed batch cannot queue a second copy. */
export function deliveryId(eventId: string, target: string): string {
  const h = createHash('sha256').update(`${eventId}|${target}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * The transactional outbox: the source event (e.g. `key_rotated`) is the outbox entry, and this
 * projector turns it into one queued delivery per target in the same transaction as its checkpoint,
 * so every committed event is queued exactly once, across crashes and failovers. Sending happens
 * outside (the dispatcher), so a slow receiver never holds the projector. Append-only: a rebuild
 * would queue history again.
 */
export function outboxProjection(sources: WebhookSources, operatorEndpoint: () => boolean, afterCommit: () => void): Projection {
  return {
    name: 'webhooks',
    version: 1,
    rebuildable: false,
    batchSize: 500,
    // Read at start, after every context registered its sources in onModuleInit.
    get eventTypes() {
      return sources.eventTypes();
    },
    async handle(events: RecordedEvent[], client: PoolClient): Promise<void> {
      for (const e of events) {
        const source = sources.get(e.type);
        const message = source?.toMessage(e);
        if (!source || !message) continue;
        const { rows } = await client.query<{ id: string }>(
          `select id from webhook_endpoints
           where namespace = $1 and deleted_at is null and $2 = any(event_types) and created_at <= $3`,
          [e.namespace, e.type, e.recordedAt],
        );
        const targets = rows.map((r) => ({ namespace: e.namespace, target: 'endpoint', endpointId: r.id as string | null }));
        if (source.toOperatorEndpoint && operatorEndpoint()) targets.push({ namespace: OPERATOR_NAMESPACE, target: 'operator', endpointId: null });
        for (const t of targets) {
          await client.query(
            `insert into webhook_deliveries (id, namespace, webhook_id, event_id, event_type, global_position, endpoint_id, target, payload,
                                             status, next_attempt_at, created_at)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending', now(), now()) on conflict (id) do nothing`,
            [deliveryId(e.eventId, t.endpointId ?? 'operator'), t.namespace, message.id, e.eventId, e.type, e.globalPosition, t.endpointId, t.target, message.body],
          );
        }
      }
    },
    afterCommit,
  };
}
