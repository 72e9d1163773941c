/** Signing and verification, shared with contexts that hand out or receive signed webhooks (keys). */
export {
  CAVE_SIGNATURE_HEADER,
  signCaveHeader,
  signatureHeaders,
  standardWebhooksHeaders,
  verifyCaveSignature,
} from '../domain/webhook-signature';
export { WebhookPayloadInvalidError, WebhookReplayedError, ReceiverDisabledError } from '../domain/webhook.errors';
