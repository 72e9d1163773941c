import { DomainError } from '@cave/kernel';

export class UnknownResourceError extends DomainError {
  readonly code = 'MCP.UNKNOWN_RESOURCE';
  readonly kind = 'not_found';
  constructor(uri: string) {
    super(`no resource ${JSON.stringify(uri.slice(0, 200))}; CAVE serves cave://sandboxes/{id} and cave://sandboxes/{id}/events`);
  }
}

/** MCP 2025-06-18 removed JSON-RPC batching; one message per POST keeps auth, limits and idempotency per call. */
export class BatchNotSupportedError extends DomainError {
  readonly code = 'MCP.BATCH_NOT_SUPPORTED';
  readonly kind = 'invalid';
  constructor() {
    super('JSON-RPC batches are not supported: send one message per request');
  }
}
