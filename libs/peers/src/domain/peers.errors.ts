import { DomainError } from '@cave/kernel';

export class PeerNotFoundError extends DomainError {
  readonly code = 'PEERS.PEER_NOT_FOUND';
  readonly kind = 'not_found';
  constructor(id: string) {
    super(`peer ${id} not found`, { peerId: id });
  }
}

export class PeerUrlInvalidError extends DomainError {
  readonly code = 'PEERS.URL_INVALID';
  readonly kind = 'invalid';
}

export class PeerAlreadyRegisteredError extends DomainError {
  readonly code = 'PEERS.ALREADY_REGISTERED';
  readonly kind = 'conflict';
  constructor(url: string, peerId: string) {
    super(`a peer at ${url} is already registered`, { peerId });
  }
}

export class DenyEntryInvalidError extends DomainError {
  readonly code = 'PEERS.DENY_ENTRY_INVALID';
  readonly kind = 'invalid';
}

export class DenyEntryNotFoundError extends DomainError {
  readonly code = 'PEERS.DENY_ENTRY_NOT_FOUND';
  readonly kind = 'not_found';
  constructor(entry: string) {
    super(`${entry} is not on the deny list`, { entry });
  }
}

export class ReplicationNotFoundError extends DomainError {
  readonly code = 'PEERS.REPLICATION_NOT_FOUND';
  readonly kind = 'not_found';
  constructor(id: string) {
    super(`replication ${id} not found`, { jobId: id });
  }
}

export class ReplicationInvalidError extends DomainError {
  readonly code = 'PEERS.REPLICATION_INVALID';
  readonly kind = 'invalid';
}

/** No registered peer holds the model, or the node has no model registry to register it into. */
export class ReplicationUnavailableError extends DomainError {
  readonly code = 'PEERS.REPLICATION_UNAVAILABLE';
  readonly kind = 'unavailable';
}

/** The listener is off: CAVE_PEER_PORT and its certificate files are not configured. */
export class PeerTlsNotConfiguredError extends DomainError {
  readonly code = 'PEERS.TLS_NOT_CONFIGURED';
  readonly kind = 'unavailable';
}
