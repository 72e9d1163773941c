import { SandboxLimits } from './sandbox.events';

/** Bounds and defaults of the per-sandbox policy (issue 3). */
export const LIMIT_BOUNDS = {
  memoryMb: { min: 1, max: 1024, default: 64 },
  timeoutMs: { min: 1, max: 60_000, default: 5_000 },
  maxOutputBytes: { min: 0, max: 1_048_576, default: 65_536 },
} as const;

export function withDefaultLimits(limits?: Partial<SandboxLimits> | null): SandboxLimits {
  const given = limits ?? {};
  return {
    memoryMb: given.memoryMb ?? LIMIT_BOUNDS.memoryMb.default,
    timeoutMs: given.timeoutMs ?? LIMIT_BOUNDS.timeoutMs.default,
    maxOutputBytes: given.maxOutputBytes ?? LIMIT_BOUNDS.maxOutputBytes.default,
  };
}
