import { Injectable } from '@nestjs/common';
import type { RecordedEvent } from '@cave/event-store';

/** One webhook message: a stable id (the same on every attempt and every endpoint) and the exact body bytes. */
export interface WebhookMessage {
  id: string;
  type: string;
  /** Sent and signed byte for byte; built deterministically from the event so every attempt is identical. */
  body: string;
}

/**
 * A context makes one of its event types deliverable by registering how an event becomes a message.
 * Payloads are the context's public contract: never secrets (the outbox reads events, so nothing secret
 * is there to leak, but a source must also not add any).
 */
export interface WebhookSource {
  eventType: string;
  /** Also sent to the operator's CAVE_ROTATION_WEBHOOK_URL (rotation events). */
  toOperatorEndpoint?: boolean;
  /** undefined: this event is not sent (e.g. a rotation applied from a peer's webhook, to avoid loops). */
  toMessage(event: RecordedEvent): WebhookMessage | undefined;
}

/** Registry filled by contexts in `onModuleInit`; the outbox projector reads it from application bootstrap on. */
@Injectable()
export class WebhookSources {
  private readonly byType = new Map<string, WebhookSource>();

  register(source: WebhookSource): void {
    if (this.byType.has(source.eventType)) throw new Error(`webhook source for ${source.eventType} registered twice`);
    this.byType.set(source.eventType, source);
  }

  get(eventType: string): WebhookSource | undefined {
    return this.byType.get(eventType);
  }

  eventTypes(): string[] {
    return [...this.byType.keys()].sort();
  }
}
