import { DomainError } from '@cave/kernel';

/** Signature and receipt errors: distinct codes so a sender can tell a clock problem from a bad secret. */
export class SignatureMissingError extends DomainError {
  readonly code = 'WEBHOOKS.SIGNATURE_MISSING';
  readonly kind = 'invalid';
}

export class SignatureMalformedError extends DomainError {
  readonly code = 'WEBHOOKS.SIGNATURE_MALFORMED';
  readonly kind = 'invalid';
}

export class SignatureInvalidError extends DomainError {
  readonly code = 'WEBHOOKS.SIGNATURE_INVALID';
  readonly kind = 'unauthorized';
}

export class TimestampStaleError extends DomainError {
  readonly code = 'WEBHOOKS.TIMESTAMP_STALE';
  readonly kind = 'unauthorized';
}

export class TimestampFutureError extends DomainError {
  readonly code = 'WEBHOOKS.TIMESTAMP_FUTURE';
  readonly kind = 'unauthorized';
}

export class WebhookReplayedError extends DomainError {
  readonly code = 'WEBHOOKS.REPLAYED';
  readonly kind = 'unauthorized';
  constructor(webhookId: string) {
    super(`webhook ${webhookId} was already accepted`, { webhookId });
  }
}

/** A verified body that is not a webhook this receiver understands. */
export class WebhookPayloadInvalidError extends DomainError {
  readonly code = 'WEBHOOKS.PAYLOAD_INVALID';
  readonly kind = 'invalid';
}

/** A daemon without a rotation secret has no receiver: a permanent state of its configuration, so not a 5xx to retry. */
export class ReceiverDisabledError extends DomainError {
  readonly code = 'WEBHOOKS.RECEIVER_DISABLED';
  readonly kind = 'not_found';
}

/** The URL resolves to (or is) a private, loopback, link-local or otherwise internal address. */
export class PrivateAddressError extends DomainError {
  readonly code = 'WEBHOOKS.PRIVATE_ADDRESS';
  readonly kind = 'invalid';
}

export class InvalidEndpointError extends DomainError {
  readonly code = 'WEBHOOKS.INVALID_ENDPOINT';
  readonly kind = 'invalid';
}

export class EndpointNotFoundError extends DomainError {
  readonly code = 'WEBHOOKS.ENDPOINT_NOT_FOUND';
  readonly kind = 'not_found';
  constructor(id: string) {
    super(`webhook endpoint ${id} not found`, { endpointId: id });
  }
}

export class DeliveryNotFoundError extends DomainError {
  readonly code = 'WEBHOOKS.DELIVERY_NOT_FOUND';
  readonly kind = 'not_found';
  constructor(id: string) {
    super(`webhook delivery ${id} not found`, { deliveryId: id });
  }
}

/** Manual retry of a delivery that is not dead-lettered (still pending or already delivered). */
export class DeliveryNotDeadError extends DomainError {
  readonly code = 'WEBHOOKS.DELIVERY_NOT_DEAD';
  readonly kind = 'conflict';
}
