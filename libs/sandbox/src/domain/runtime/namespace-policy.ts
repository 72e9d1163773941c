import { LIMIT_BOUNDS } from '../sandbox-limits';
import type { SandboxLimits, SandboxMode, SandboxRuntime } from '../../contracts/sandbox.events';
import { ExecInvalidError, PolicyViolationError } from './sandbox-runtime.errors';

const RUNTIMES: readonly SandboxRuntime[] = ['javascript', 'wasi'];
const MODES: readonly SandboxMode[] = ['quick', 'persistent'];
/** QuickJS's build starts with 16 MiB of linear memory: a smaller cap cannot instantiate (FACTS). */
export const JAVASCRIPT_MIN_MEMORY_MB = 16;

/** What admins allow a namespace. Omitted fields fall back to DEFAULT_POLICY. */
export interface NamespacePolicy {
  allowedRuntimes: SandboxRuntime[];
  allowedModes: SandboxMode[];
  maxLimits: SandboxLimits;
  /** Sandboxes that exist (not deleted) at once; null = no cap. */
  maxSandboxes: number | null;
  /** Execs running at once in the namespace on one daemon. */
  maxConcurrentExecs: number;
  maxModuleBytes: number;
}

export const DEFAULT_POLICY: NamespacePolicy = {
  allowedRuntimes: [...RUNTIMES],
  allowedModes: [...MODES],
  maxLimits: { memoryMb: LIMIT_BOUNDS.memoryMb.max, timeoutMs: LIMIT_BOUNDS.timeoutMs.max, maxOutputBytes: LIMIT_BOUNDS.maxOutputBytes.max },
  maxSandboxes: null,
  maxConcurrentExecs: 8,
  maxModuleBytes: 8 * 1024 * 1024,
};

const MAX_CONCURRENT = 1024;
const MAX_MODULE = 256 * 1024 * 1024;

/** Parses an admin's policy document (any JSON) into a complete policy, or throws SANDBOX.EXEC_INVALID naming the field. */
export function parseNamespacePolicy(input: unknown): NamespacePolicy {
  if (!isObject(input)) throw new ExecInvalidError('policy must be an object', 'policy');
  const known = ['allowedRuntimes', 'allowedModes', 'maxLimits', 'maxSandboxes', 'maxConcurrentExecs', 'maxModuleBytes'];
  for (const k of Object.keys(input)) if (!known.includes(k)) throw new ExecInvalidError(`unknown policy field ${JSON.stringify(k).slice(0, 80)}`, k.slice(0, 80));
  const p: NamespacePolicy = { ...DEFAULT_POLICY, maxLimits: { ...DEFAULT_POLICY.maxLimits } };
  if (input.allowedRuntimes !== undefined) p.allowedRuntimes = enumList(input.allowedRuntimes, RUNTIMES, 'allowedRuntimes');
  if (input.allowedModes !== undefined) p.allowedModes = enumList(input.allowedModes, MODES, 'allowedModes');
  if (input.maxLimits !== undefined) {
    if (!isObject(input.maxLimits)) throw new ExecInvalidError('maxLimits must be an object', 'maxLimits');
    for (const k of Object.keys(input.maxLimits)) {
      if (!(k in LIMIT_BOUNDS)) throw new ExecInvalidError(`unknown limit ${JSON.stringify(k).slice(0, 80)}`, 'maxLimits');
      const key = k as keyof SandboxLimits;
      p.maxLimits[key] = int(input.maxLimits[k], LIMIT_BOUNDS[key].min, LIMIT_BOUNDS[key].max, `maxLimits.${key}`);
    }
  }
  if (input.maxSandboxes !== undefined) p.maxSandboxes = input.maxSandboxes === null ? null : int(input.maxSandboxes, 0, 1_000_000, 'maxSandboxes');
  if (input.maxConcurrentExecs !== undefined) p.maxConcurrentExecs = int(input.maxConcurrentExecs, 0, MAX_CONCURRENT, 'maxConcurrentExecs');
  if (input.maxModuleBytes !== undefined) p.maxModuleBytes = int(input.maxModuleBytes, 0, MAX_MODULE, 'maxModuleBytes');
  return p;
}

/** A new sandbox's definition against the policy: runtime and mode allowed, every limit at or under its maximum. */
export function checkSandboxAgainstPolicy(spec: { runtime: string; mode: string; limits: SandboxLimits }, policy: NamespacePolicy, existing: number): void {
  if (!(policy.allowedRuntimes as string[]).includes(spec.runtime)) {
    throw new PolicyViolationError('forbidden', 'allowedRuntimes', `runtime ${JSON.stringify(spec.runtime)} is not allowed in this namespace`, { allowed: policy.allowedRuntimes });
  }
  if (!(policy.allowedModes as string[]).includes(spec.mode)) {
    throw new PolicyViolationError('forbidden', 'allowedModes', `mode ${JSON.stringify(spec.mode)} is not allowed in this namespace`, { allowed: policy.allowedModes });
  }
  for (const k of Object.keys(policy.maxLimits) as (keyof SandboxLimits)[]) {
    if (spec.limits[k] > policy.maxLimits[k]) {
      throw new PolicyViolationError('unprocessable', `maxLimits.${k}`, `limits.${k} ${spec.limits[k]} is above this namespace's maximum ${policy.maxLimits[k]}`, { limit: policy.maxLimits[k] });
    }
  }
  if (spec.runtime === 'javascript' && spec.limits.memoryMb < JAVASCRIPT_MIN_MEMORY_MB) {
    throw new PolicyViolationError('unprocessable', 'javascriptMinMemory', `javascript sandboxes need limits.memoryMb >= ${JAVASCRIPT_MIN_MEMORY_MB}`, { limit: JAVASCRIPT_MIN_MEMORY_MB });
  }
  if (policy.maxSandboxes !== null && existing >= policy.maxSandboxes) {
    throw new PolicyViolationError('forbidden', 'maxSandboxes', `this namespace already has ${existing} sandboxes (maximum ${policy.maxSandboxes})`, { limit: policy.maxSandboxes });
  }
}

/** Limits a sandbox runs with today: what it was created with, never above the current policy. */
export function effectiveLimits(limits: SandboxLimits, policy: NamespacePolicy): SandboxLimits {
  return {
    memoryMb: Math.min(limits.memoryMb, policy.maxLimits.memoryMb),
    timeoutMs: Math.min(limits.timeoutMs, policy.maxLimits.timeoutMs),
    maxOutputBytes: Math.min(limits.maxOutputBytes, policy.maxLimits.maxOutputBytes),
  };
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function int(v: unknown, min: number, max: number, field: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new ExecInvalidError(`${field} must be an integer from ${min} to ${max}`, field);
  return v;
}

function enumList<T extends string>(v: unknown, allowed: readonly T[], field: string): T[] {
  if (!Array.isArray(v) || v.length > allowed.length * 4) throw new ExecInvalidError(`${field} must be an array of ${allowed.join(', ')}`, field);
  for (const x of v) if (!(allowed as readonly unknown[]).includes(x)) throw new ExecInvalidError(`${field} must only contain ${allowed.join(', ')}`, field);
  return [...new Set(v as T[])];
}
