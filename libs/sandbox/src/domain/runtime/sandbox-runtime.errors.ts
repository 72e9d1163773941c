import { DomainError } from '@cave/kernel';

export class SandboxNotRunningError extends DomainError {
  readonly code = 'SANDBOX.NOT_RUNNING';
  readonly kind = 'conflict';
  constructor(sandboxId: string, state: string) {
    super(`sandbox ${sandboxId} is ${state}; start it before running code`, { state });
  }
}

export class ExecInvalidError extends DomainError {
  readonly code = 'SANDBOX.EXEC_INVALID';
  readonly kind = 'invalid';
  constructor(message: string, field: string) {
    super(message, { field });
  }
}

/** A rule of the namespace's policy (or a built-in bound) refused the request; `rule` names it. */
export class PolicyViolationError extends DomainError {
  readonly code = 'SANDBOX.POLICY_VIOLATION';
  constructor(
    readonly kind: 'forbidden' | 'unprocessable',
    rule: string,
    message: string,
    extra: Record<string, unknown> = {},
  ) {
    super(message, { rule, ...extra });
  }
}

export class ExecBusyError extends DomainError {
  readonly code = 'SANDBOX.TOO_MANY_EXECS';
  readonly kind = 'rate_limited';
  constructor(scope: 'sandbox' | 'namespace', limit: number) {
    super(`at most ${limit} concurrent execs per ${scope}; retry shortly`, { scope, limit, retryAfterSeconds: 1 });
  }
}

export class ExecConflictError extends DomainError {
  readonly code = 'SANDBOX.STATE_CONFLICT';
  readonly kind = 'conflict';
  constructor(sandboxId: string) {
    super(`sandbox ${sandboxId} changed state while this exec ran (another exec, restore, stop or a policy change); its result was not kept`);
  }
}

export class ExecCancelledError extends DomainError {
  readonly code = 'SANDBOX.EXEC_CANCELLED';
  readonly kind = 'conflict';
  constructor(sandboxId: string) {
    super(`sandbox ${sandboxId} was stopped while the exec ran`);
  }
}

export class NotPersistentError extends DomainError {
  readonly code = 'SANDBOX.NOT_PERSISTENT';
  readonly kind = 'conflict';
  constructor(sandboxId: string) {
    super(`sandbox ${sandboxId} is not a persistent javascript sandbox; snapshots need mode "persistent"`);
  }
}

export class NoStateError extends DomainError {
  readonly code = 'SANDBOX.NO_STATE';
  readonly kind = 'conflict';
  constructor(sandboxId: string) {
    super(`sandbox ${sandboxId} has no state to snapshot yet; run an exec first`);
  }
}

export class SnapshotNotFoundError extends DomainError {
  readonly code = 'SANDBOX.SNAPSHOT_NOT_FOUND';
  readonly kind = 'not_found';
  constructor(snapshotId: string) {
    super(`snapshot ${snapshotId} not found`);
  }
}

export class SnapshotIncompatibleDomainError extends DomainError {
  readonly code = 'SANDBOX.SNAPSHOT_INCOMPATIBLE';
  readonly kind = 'conflict';
  constructor(message: string) {
    super(message);
  }
}

export class ModuleInvalidError extends DomainError {
  readonly code = 'SANDBOX.MODULE_INVALID';
  readonly kind = 'invalid';
  constructor(message: string) {
    super(message);
  }
}

export class WrongRuntimeError extends DomainError {
  readonly code = 'SANDBOX.WRONG_RUNTIME';
  readonly kind = 'conflict';
  constructor(sandboxId: string, runtime: string, needed: string) {
    super(`sandbox ${sandboxId} runs ${runtime}; this needs a ${needed} sandbox`, { runtime });
  }
}

export class NoModuleError extends DomainError {
  readonly code = 'SANDBOX.NO_MODULE';
  readonly kind = 'conflict';
  constructor(sandboxId: string) {
    super(`sandbox ${sandboxId} has no module; upload one with PUT /api/v1/sandboxes/${sandboxId}/module`);
  }
}

export class RuntimeUnavailableError extends DomainError {
  readonly code = 'SANDBOX.RUNTIME_UNAVAILABLE';
  readonly kind = 'unavailable';
  constructor(message: string) {
    super(message);
  }
}

export class NamespaceNotFoundError extends DomainError {
  readonly code = 'SANDBOX.NAMESPACE_NOT_FOUND';
  readonly kind = 'not_found';
  constructor(namespace: string) {
    super(`no API key was ever issued for namespace ${namespace}`);
  }
}
