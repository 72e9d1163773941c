/**
 * What kind of failure a domain error is. The HTTP, Socket.IO and MCP edges each map a kind to
 * their own status once; the domain never names a transport status.
 */
export type DomainErrorKind =
  | 'invalid'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'precondition_failed'
  | 'unprocessable'
  | 'rate_limited'
  | 'unavailable'
  | 'too_large'
  | 'length_required'
  | 'range_not_satisfiable';

/** Base of every domain error: a stable machine code (`SANDBOX.INVALID_TRANSITION`) and a kind. */
export abstract class DomainError extends Error {
  abstract readonly code: string;
  abstract readonly kind: DomainErrorKind;
  /** Extra machine-readable fields for clients (never secrets). */
  readonly details?: Record<string, unknown>;

  constructor(message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = new.target.name;
    this.details = details;
  }
}
