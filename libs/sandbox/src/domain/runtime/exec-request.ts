import type { SandboxLimits, SandboxRuntime } from '../../contracts/sandbox.events';
import { ExecInvalidError, PolicyViolationError } from './sandbox-runtime.errors';
import { int, isObject } from './namespace-policy';

export const EXEC_BOUNDS = { codeBytes: 1024 * 1024, stdinBytes: 1024 * 1024, args: 256, argBytes: 4096, envEntries: 128, envBytes: 4096 } as const;
const ENV_KEY = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/** An exec request after parsing: what the runtime runs and the limits it runs under. */
export interface ExecSpec {
  code?: string;
  args: string[];
  stdin: string;
  env: Record<string, string>;
  limits: SandboxLimits;
}

/**
 * Parses a client's exec body (any JSON) for a sandbox with `runtime` and effective `limits`. Pure;
 * throws only domain errors: SANDBOX.EXEC_INVALID for malformed input, SANDBOX.POLICY_VIOLATION
 * (rule `timeoutMs`) when the request asks for more time than the sandbox may use.
 */
export function parseExecRequest(input: unknown, runtime: SandboxRuntime, limits: SandboxLimits): ExecSpec {
  if (!isObject(input)) throw new ExecInvalidError('exec body must be an object', 'body');
  for (const k of Object.keys(input)) if (!['code', 'args', 'stdin', 'env', 'timeoutMs'].includes(k)) throw new ExecInvalidError(`unknown field ${JSON.stringify(k).slice(0, 80)}`, k.slice(0, 80));
  const code = input.code === undefined ? undefined : text(input.code, EXEC_BOUNDS.codeBytes, 'code');
  if (runtime === 'javascript' && (code === undefined || code.length === 0)) throw new ExecInvalidError('javascript execs need `code`', 'code');
  if (runtime === 'wasi' && code !== undefined) throw new ExecInvalidError('wasi execs run the uploaded module; send args/stdin/env, not `code`', 'code');
  const args: string[] = [];
  if (input.args !== undefined) {
    if (!Array.isArray(input.args) || input.args.length > EXEC_BOUNDS.args) throw new ExecInvalidError(`args must be an array of at most ${EXEC_BOUNDS.args} strings`, 'args');
    for (const a of input.args) args.push(text(a, EXEC_BOUNDS.argBytes, 'args[]'));
  }
  const env: Record<string, string> = {};
  if (input.env !== undefined) {
    if (!isObject(input.env) || Object.keys(input.env).length > EXEC_BOUNDS.envEntries) throw new ExecInvalidError(`env must be an object of at most ${EXEC_BOUNDS.envEntries} strings`, 'env');
    for (const [k, v] of Object.entries(input.env)) {
      if (!ENV_KEY.test(k)) throw new ExecInvalidError('env keys must match [A-Za-z_][A-Za-z0-9_]*', 'env');
      env[k] = text(v, EXEC_BOUNDS.envBytes, `env.${k}`);
    }
  }
  const stdin = input.stdin === undefined ? '' : text(input.stdin, EXEC_BOUNDS.stdinBytes, 'stdin');
  if (runtime === 'javascript' && (args.length > 0 || stdin !== '' || Object.keys(env).length > 0)) {
    throw new ExecInvalidError('javascript execs take only `code` (and `timeoutMs`)', 'args');
  }
  let timeoutMs = limits.timeoutMs;
  if (input.timeoutMs !== undefined) {
    const asked = int(input.timeoutMs, 1, Number.MAX_SAFE_INTEGER, 'timeoutMs');
    if (asked > limits.timeoutMs) {
      throw new PolicyViolationError('unprocessable', 'timeoutMs', `timeoutMs ${asked} is above this sandbox's limit ${limits.timeoutMs}`, { limit: limits.timeoutMs });
    }
    timeoutMs = asked;
  }
  return { code, args, stdin, env, limits: { ...limits, timeoutMs } };
}

function text(v: unknown, maxBytes: number, field: string): string {
  if (typeof v !== 'string') throw new ExecInvalidError(`${field} must be a string`, field);
  if (v.length > maxBytes || Buffer.byteLength(v) > maxBytes) throw new ExecInvalidError(`${field} is longer than ${maxBytes} bytes`, field);
  if (v.includes('\u0000') && field !== 'code' && field !== 'stdin') throw new ExecInvalidError(`${field} must not contain NUL`, field);
  return v;
}
