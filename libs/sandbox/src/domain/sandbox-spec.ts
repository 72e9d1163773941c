import { FieldProblem, InvalidInputError } from '@cave/kernel';
import { labelsProblem } from './sandbox-labels';
import { LIMIT_NAMES, limitProblem, withDefaultLimits } from './sandbox-limits';
import { SandboxLimits, SandboxMode, SandboxRuntime } from '../contracts/sandbox.events';

export const RUNTIMES: readonly SandboxRuntime[] = ['javascript', 'wasi'];
export const MODES: readonly SandboxMode[] = ['quick', 'persistent'];

/** Names are shown in lists and used in URLs by people: letters, digits and a few separators. */
export const NAME_RULE = {
  maxLength: 100,
  pattern: /^[\p{L}\p{N}][\p{L}\p{N} ._-]*$/u,
  message: 'name must start with a letter or digit and contain only letters, digits, space, ".", "_" or "-"',
};

/** What a sandbox is asked to be: the part of `sandbox_created` a caller chooses, with defaults filled in. */
export interface SandboxSpec {
  name: string;
  runtime: SandboxRuntime;
  mode: SandboxMode;
  limits: SandboxLimits;
  labels: Record<string, string>;
}

const FIELDS = new Set(['name', 'runtime', 'mode', 'limits', 'labels']);

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function nameProblem(v: unknown): string | undefined {
  if (typeof v !== 'string') return 'name must be a string';
  if (v.length > NAME_RULE.maxLength) return `name must be shorter than or equal to ${NAME_RULE.maxLength} characters`;
  return NAME_RULE.pattern.test(v) ? undefined : NAME_RULE.message;
}

function oneOf<T extends string>(field: string, allowed: readonly T[], v: unknown): string | undefined {
  return (allowed as readonly unknown[]).includes(v) ? undefined : `${field} must be one of the following values: ${allowed.join(', ')}`;
}

function limitsProblems(v: unknown): FieldProblem[] {
  if (!isRecord(v)) return [{ field: 'limits', message: 'limits must be an object' }];
  return Object.entries(v).flatMap(([k, value]): FieldProblem[] => {
    if (!(LIMIT_NAMES as string[]).includes(k)) return [{ field: `limits.${k}`, message: `property ${k} should not exist` }];
    // An absent or null limit takes its default (as an omitted field does).
    const problem = value === undefined || value === null ? undefined : limitProblem(k as keyof SandboxLimits, value);
    return problem ? [{ field: `limits.${k}`, message: problem }] : [];
  });
}

/**
 * The sandbox's own rules on what a caller may ask for: name, runtime, mode, limits within LIMIT_BOUNDS,
 * labels within LABEL_LIMITS. `parse` accepts any input (a REST body, an MCP tool call) and either returns
 * a complete spec or throws InvalidInputError naming every refused field, with the code REST uses.
 * Omitted `limits` and `labels` take their defaults, as do omitted (or null) single limits.
 */
export const SandboxSpec = {
  parse(input: unknown): SandboxSpec {
    if (!isRecord(input)) throw new InvalidInputError([{ field: 'body', message: 'body must be a JSON object' }]);
    const problems: FieldProblem[] = Object.keys(input)
      .filter((k) => !FIELDS.has(k))
      .map((k) => ({ field: k, message: `property ${k} should not exist` }));
    const add = (field: string, message: string | undefined) => message !== undefined && problems.push({ field, message });
    add('name', nameProblem(input.name));
    add('runtime', oneOf('runtime', RUNTIMES, input.runtime));
    add('mode', oneOf('mode', MODES, input.mode));
    // Omitted means "the defaults"; null is refused (as REST refuses it), never a silent default.
    const { limits, labels } = input;
    if (limits !== undefined) problems.push(...limitsProblems(limits));
    if (labels !== undefined) add('labels', labelsProblem(labels));
    if (problems.length > 0) throw new InvalidInputError(problems);
    const given = (limits ?? {}) as Record<string, number | null | undefined>;
    return {
      name: input.name as string,
      runtime: input.runtime as SandboxRuntime,
      mode: input.mode as SandboxMode,
      limits: withDefaultLimits({
        ...(given.memoryMb != null && { memoryMb: given.memoryMb }),
        ...(given.timeoutMs != null && { timeoutMs: given.timeoutMs }),
        ...(given.maxOutputBytes != null && { maxOutputBytes: given.maxOutputBytes }),
      }),
      labels: (labels ?? {}) as Record<string, string>,
    };
  },
};
