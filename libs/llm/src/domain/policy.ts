import type { LlmPolicy } from '@cave/config';

/** The namespace's policy: its overrides on top of the defaults. */
export function policyFor(namespace: string, defaults: LlmPolicy, overrides: Record<string, Partial<LlmPolicy>>): LlmPolicy {
  return { ...defaults, ...(overrides[namespace] ?? {}) };
}

/** Seconds until the next UTC midnight, when a day's quota starts over. */
export function secondsToUtcMidnight(now: Date): number {
  const next = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
  return Math.max(1, Math.ceil((next - now.getTime()) / 1000));
}
