/** Who asks and how: everything a sandbox command carries besides its intent. */
export interface SandboxCommandMeta {
  namespace: string;
  /** API key id of the caller, recorded as `actor` in event metadata. */
  actor: string;
  correlationId?: string;
  idempotencyKey?: string;
  /** Stream version from If-Match; a stale one fails with 412. */
  expectedVersion?: number;
}

export interface SandboxCommandResult {
  sandbox: import('../projections/sandbox.read-model').SandboxView;
  /** True when an earlier command with the same idempotency key already did this. */
  replayed: boolean;
}
