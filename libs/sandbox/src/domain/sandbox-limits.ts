import { SandboxLimits } from '../contracts/sandbox.events';

/**
 * Bounds and defaults of the per-sandbox policy (issue 3). The one copy: SandboxSpec enforces them and the
 * REST DTO's decorators and OpenAPI schema read them from here.
 */
export const LIMIT_BOUNDS = {
  memoryMb: { min: 1, max: 1024, default: 64 },
  timeoutMs: { min: 1, max: 60_000, default: 5_000 },
  maxOutputBytes: { min: 0, max: 1_048_576, default: 65_536 },
} as const;

export const LIMIT_NAMES = Object.keys(LIMIT_BOUNDS) as (keyof SandboxLimits)[];

export function withDefaultLimits(limits?: Partial<SandboxLimits> | null): SandboxLimits {
  const given = limits ?? {};
  return {
    memoryMb: given.memoryMb ?? LIMIT_BOUNDS.memoryMb.default,
    timeoutMs: given.timeoutMs ?? LIMIT_BOUNDS.timeoutMs.default,
    maxOutputBytes: given.maxOutputBytes ?? LIMIT_BOUNDS.maxOutputBytes.default,
  };
}

/** Why `value` is not an acceptable value of limit `name`, or undefined when it is. */
export function limitProblem(name: keyof SandboxLimits, value: unknown): string | undefined {
  const { min, max } = LIMIT_BOUNDS[name];
  if (typeof value !== 'number' || !Number.isInteger(value)) return `${name} must be an integer number`;
  if (value < min) return `${name} must not be less than ${min}`;
  if (value > max) return `${name} must not be greater than ${max}`;
  return undefined;
}
