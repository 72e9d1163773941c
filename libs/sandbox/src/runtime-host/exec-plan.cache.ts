import type { SandboxLimits, SandboxMode, SandboxRuntime } from '../contracts/sandbox.events';
import type { NamespacePolicy } from '../domain/runtime/namespace-policy';

/** What a Quick Mode exec decides on that a later exec can reuse (ADR 0023). */
export interface CachedPlan {
  /** Fixed at creation: no event changes them. */
  runtime: SandboxRuntime;
  mode: SandboxMode;
  limits: SandboxLimits;
  /** The namespace's policy as of `policyVersion`; the exec's record refuses to commit under any other version. */
  policy: NamespacePolicy;
  policyVersion: number;
}

/** Entries kept; beyond this the least recently used one goes (one entry is a few hundred bytes). */
const MAX_ENTRIES = 4096;

/**
 * The plans of Quick Mode javascript sandboxes that ran here, by (namespace, sandbox id), so a repeated exec skips
 * its plan read. Only what cannot change without the record noticing is kept: runtime, mode and limits are fixed
 * at creation, and the policy carries its version, which the record's precondition checks in the same statement
 * that checks the sandbox is still running (a stop, a delete or a policy change on any daemon refuses the
 * record). The state (running or not) is never cached. The namespace is part of the key: a key of another
 * namespace never finds an entry and reads the database, where RLS hides the sandbox (404).
 */
export class ExecPlanCache {
  /** `started`: false for a plan kept at creation until a start committed here (see `started`). */
  private readonly entries = new Map<string, { plan: CachedPlan; started: boolean }>();

  get(namespace: string, sandboxId: string): CachedPlan | undefined {
    const k = key(namespace, sandboxId);
    const entry = this.entries.get(k);
    if (!entry?.started) return undefined;
    // Most recently used last: the first entry is the one to evict.
    this.entries.delete(k);
    this.entries.set(k, entry);
    return entry.plan;
  }

  /**
   * Only Quick Mode javascript: persistent and WASI execs need their durable state (version, module) anyway.
   * `started: false` (a creation) keeps the plan without serving it, so an exec before any start reads the
   * database and answers 409 without running its guest.
   */
  remember(namespace: string, sandboxId: string, plan: CachedPlan, started = true): void {
    if (plan.runtime !== 'javascript' || plan.mode !== 'quick') return;
    this.entries.delete(key(namespace, sandboxId));
    this.entries.set(key(namespace, sandboxId), { plan, started });
    while (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value as string);
  }

  /** A start of the sandbox committed on this daemon: a plan kept at its creation may serve from now on. */
  started(namespace: string, sandboxId: string): void {
    const entry = this.entries.get(key(namespace, sandboxId));
    if (entry) entry.started = true;
  }

  forget(namespace: string, sandboxId: string): void {
    this.entries.delete(key(namespace, sandboxId));
  }

  /** A policy set on this daemon: its sandboxes' next execs read the new one instead of failing their record once. */
  forgetNamespace(namespace: string): void {
    const prefix = key(namespace, '');
    for (const k of this.entries.keys()) if (k.startsWith(prefix)) this.entries.delete(k);
  }

  get size(): number {
    return this.entries.size;
  }
}

/** NUL cannot occur in a namespace (assertNamespace) or a uuid, so the pair is unambiguous. */
function key(namespace: string, sandboxId: string): string {
  return `${namespace}\u0000${sandboxId}`;
}
