/**
 * Public contract of the webhooks context: persisted event names and payloads. No secret and no
 * target URL ever appears in an attempt event (URLs may carry tokens in their query).
 */
export const WEBHOOK_ENDPOINT_STREAM_TYPE = 'webhook_endpoint';
export const WEBHOOK_DELIVERY_STREAM_TYPE = 'webhook_delivery';

export const WEBHOOK_ENDPOINT_REGISTERED = 'webhook_endpoint_registered';
export const WEBHOOK_ENDPOINT_DELETED = 'webhook_endpoint_deleted';
export const WEBHOOK_DELIVERY_SUCCEEDED = 'webhook_delivery_succeeded';
export const WEBHOOK_DELIVERY_FAILED = 'webhook_delivery_failed';
export const WEBHOOK_DELIVERY_RETRIED = 'webhook_delivery_retried';

export function webhookEndpointStreamId(id: string): string {
  return `webhook_endpoint-${id}`;
}
export function webhookDeliveryStreamId(id: string): string {
  return `webhook_delivery-${id}`;
}

export interface WebhookEndpointRegisteredData {
  endpointId: string;
  namespace: string;
  url: string;
  eventTypes: string[];
  /** Whether Standard Webhooks headers are sent (a `whsec_` secret); the secret itself is never in an event. */
  standardWebhooks: boolean;
  registeredAt: string;
}

export interface WebhookEndpointDeletedData {
  endpointId: string;
  deletedAt: string;
}

/** One delivery attempt (a row in the delivery history). */
export interface WebhookDeliveryAttemptData {
  deliveryId: string;
  webhookId: string;
  /** null for the operator endpoint (CAVE_ROTATION_WEBHOOK_URL). */
  endpointId: string | null;
  attempt: number;
  statusCode: number | null;
  latencyMs: number;
  /** Short reason for a failure (`timeout`, `connection refused`, `HTTP 503`), never a secret. */
  error: string | null;
  attemptedAt: string;
  /** When the next attempt is due; null when there is none (delivered or dead-lettered). */
  nextAttemptAt: string | null;
  deadLettered: boolean;
}

export interface WebhookDeliveryRetriedData {
  deliveryId: string;
  requestedBy: string;
  retriedAt: string;
}
