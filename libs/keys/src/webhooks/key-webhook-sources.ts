import { Injectable, OnModuleInit } from '@nestjs/common';
import { WebhookSources } from '@cave/webhooks';
import { KEY_REVOKED, KEY_ROTATED, KeyRevokedData, KeyRotatedData } from '../contracts/api-key.events';
import { revocationWebhookBody, rotationWebhookBody } from '../contracts/rotation-webhook';

/**
 * Makes key events deliverable: `key_rotated` to the operator endpoint and to subscribed endpoints
 * (never a rotation that itself came from a peer's webhook: that would echo between daemons), and
 * `key_revoked` to subscribed endpoints.
 */
@Injectable()
export class KeyWebhookSources implements OnModuleInit {
  constructor(private readonly sources: WebhookSources) {}

  onModuleInit(): void {
    this.sources.register({
      eventType: KEY_ROTATED,
      toOperatorEndpoint: true,
      toMessage: (e) => {
        const d = e.data as KeyRotatedData;
        return d.origin === 'peer' ? undefined : { id: d.webhookId, type: KEY_ROTATED, body: rotationWebhookBody(d) };
      },
    });
    this.sources.register({
      eventType: KEY_REVOKED,
      toMessage: (e) => ({ id: e.eventId, type: KEY_REVOKED, body: revocationWebhookBody(e.eventId, e.namespace, e.data as KeyRevokedData) }),
    });
  }
}
