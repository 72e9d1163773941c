export { WebhooksModule } from './webhooks.module';
export { WebhookSources } from './contracts/webhook-sources';
export type { WebhookMessage, WebhookSource } from './contracts/webhook-sources';
export {
  CAVE_SIGNATURE_HEADER,
  ReceiverDisabledError,
  signatureHeaders,
  signCaveHeader,
  standardWebhooksHeaders,
  verifyCaveSignature,
  WebhookPayloadInvalidError,
  WebhookReplayedError,
} from './contracts/webhook-signing';
export {
  WEBHOOK_DELIVERY_FAILED,
  WEBHOOK_DELIVERY_RETRIED,
  WEBHOOK_DELIVERY_STREAM_TYPE,
  WEBHOOK_DELIVERY_SUCCEEDED,
  WEBHOOK_ENDPOINT_DELETED,
  WEBHOOK_ENDPOINT_REGISTERED,
  WEBHOOK_ENDPOINT_STREAM_TYPE,
  webhookDeliveryStreamId,
  webhookEndpointStreamId,
} from './contracts/webhook.events';
export type { WebhookDeliveryAttemptData, WebhookDeliveryRetriedData, WebhookEndpointDeletedData, WebhookEndpointRegisteredData } from './contracts/webhook.events';
