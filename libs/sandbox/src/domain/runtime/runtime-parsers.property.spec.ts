import fc from 'fast-check';
import { DomainError } from '@cave/kernel';
import { LIMIT_BOUNDS } from '../sandbox-limits';
import { SandboxSpec } from '../sandbox-spec';
import type { SandboxLimits } from '../../contracts/sandbox.events';
import { parseExecRequest } from './exec-request';
import { checkSandboxAgainstPolicy, effectiveLimits, NamespacePolicy, parseNamespacePolicy } from './namespace-policy';

/** Each call either returns or throws a DomainError (a stable code, a 4xx kind): never anything else. */
function outcome<T>(fn: () => T): { ok: true; value: T } | { ok: false; error: DomainError } {
  try {
    return { ok: true, value: fn() };
  } catch (e) {
    if (!(e instanceof DomainError)) throw new Error(`non-domain error escaped: ${(e as Error)?.stack ?? String(e)}`);
    expect(['invalid', 'forbidden', 'not_found', 'conflict', 'unprocessable']).toContain(e.kind);
    return { ok: false, error: e };
  }
}

const hostileNumber = fc.oneof(fc.integer(), fc.double(), fc.constant(Number.MAX_SAFE_INTEGER + 2), fc.constant(-0), fc.constant(NaN), fc.constant(Infinity), fc.bigInt().map(String));
const hostileValue = fc.oneof(fc.anything(), hostileNumber, fc.string({ maxLength: 50 }), fc.constantFrom('__proto__', 'constructor', '\u0000', 'javascript', 'wasi', 'quick', 'persistent'));
const limitsArb = fc.dictionary(fc.constantFrom('memoryMb', 'timeoutMs', 'maxOutputBytes', '__proto__', 'other'), hostileValue, { maxKeys: 5 });
const validPolicy = fc.record(
  {
    allowedRuntimes: fc.subarray(['javascript', 'wasi']),
    allowedModes: fc.subarray(['quick', 'persistent']),
    maxLimits: fc.record({ memoryMb: fc.integer({ min: 1, max: 1024 }), timeoutMs: fc.integer({ min: 1, max: 60_000 }) }, { requiredKeys: [] }),
    maxSandboxes: fc.oneof(fc.constant(null), fc.nat(6)),
  },
  { requiredKeys: [] },
);
const policyArb = fc.oneof(
  validPolicy,
  validPolicy,
  hostileValue,
  fc.record(
    {
      allowedRuntimes: fc.oneof(fc.array(fc.constantFrom('javascript', 'wasi', 'python', 1)), hostileValue),
      allowedModes: fc.oneof(fc.array(fc.constantFrom('quick', 'persistent', 'x')), hostileValue),
      maxLimits: fc.oneof(
        limitsArb,
        hostileValue,
        fc.record({ memoryMb: fc.integer({ min: 1, max: 1024 }), timeoutMs: fc.integer({ min: 1, max: 60_000 }), maxOutputBytes: fc.integer({ min: 0, max: 1 << 20 }) }, { requiredKeys: [] }),
      ),
      maxSandboxes: fc.oneof(fc.nat(10), hostileValue, fc.constant(null)),
      maxConcurrentExecs: fc.oneof(fc.nat(10), hostileValue),
      maxModuleBytes: fc.oneof(fc.nat(1 << 24), hostileValue),
    },
    { requiredKeys: [] },
  ),
);
const specArb = fc.oneof(
  hostileValue,
  // Mostly well-formed definitions, so the policy checks run on many that the spec parser accepts.
  fc.record({
    name: fc.constantFrom('runner', 'a', 'build 1'),
    runtime: fc.constantFrom('javascript', 'wasi'),
    mode: fc.constantFrom('quick', 'persistent'),
    limits: fc.record({ memoryMb: fc.integer({ min: 1, max: 1024 }), timeoutMs: fc.integer({ min: 1, max: 60_000 }), maxOutputBytes: fc.integer({ min: 0, max: 1 << 20 }) }, { requiredKeys: [] }),
  }),
  fc.record(
    {
      name: fc.oneof(fc.string({ maxLength: 120 }), hostileValue),
      runtime: fc.oneof(fc.constantFrom('javascript', 'wasi'), hostileValue),
      mode: fc.oneof(fc.constantFrom('quick', 'persistent'), hostileValue),
      limits: fc.oneof(limitsArb, fc.record({ memoryMb: fc.integer({ min: -5, max: 2000 }), timeoutMs: fc.integer({ min: -5, max: 70_000 }) }, { requiredKeys: [] })),
      labels: hostileValue,
    },
    { requiredKeys: [] },
  ),
);
const execArb = fc.oneof(
  hostileValue,
  fc.record(
    {
      code: fc.oneof(fc.string(), hostileValue),
      args: fc.oneof(fc.array(fc.string({ maxLength: 20 }), { maxLength: 300 }), hostileValue),
      stdin: fc.oneof(fc.string(), hostileValue),
      env: fc.oneof(fc.dictionary(fc.string({ maxLength: 10 }), fc.oneof(fc.string(), hostileValue)), hostileValue),
      timeoutMs: fc.oneof(fc.integer({ min: -10, max: 100_000 }), hostileValue),
    },
    { requiredKeys: [] },
  ),
);
const sandboxLimits = fc.record({
  memoryMb: fc.integer({ min: LIMIT_BOUNDS.memoryMb.min, max: LIMIT_BOUNDS.memoryMb.max }),
  timeoutMs: fc.integer({ min: LIMIT_BOUNDS.timeoutMs.min, max: LIMIT_BOUNDS.timeoutMs.max }),
  maxOutputBytes: fc.integer({ min: LIMIT_BOUNDS.maxOutputBytes.min, max: LIMIT_BOUNDS.maxOutputBytes.max }),
});

const within = (l: SandboxLimits, max: SandboxLimits) => l.memoryMb <= max.memoryMb && l.timeoutMs <= max.timeoutMs && l.maxOutputBytes <= max.maxOutputBytes;

describe('sandbox parsers and policy (property-based, fast-check)', () => {
  it('a policy document parses into a complete policy within the global bounds, or a DomainError', () => {
    fc.assert(
      fc.property(policyArb, (input) => {
        const r = outcome(() => parseNamespacePolicy(input));
        if (!r.ok) return;
        const p = r.value;
        expect(within(p.maxLimits, { memoryMb: LIMIT_BOUNDS.memoryMb.max, timeoutMs: LIMIT_BOUNDS.timeoutMs.max, maxOutputBytes: LIMIT_BOUNDS.maxOutputBytes.max })).toBe(true);
        for (const rt of p.allowedRuntimes) expect(['javascript', 'wasi']).toContain(rt);
        for (const m of p.allowedModes) expect(['quick', 'persistent']).toContain(m);
      }),
      { numRuns: 2000 },
    );
  });

  let checkedRuns = 0;
  let accepted = 0;
  it('a sandbox that passes spec and policy never has a limit above the policy nor a runtime or mode it forbids', () => {
    fc.assert(
      fc.property(specArb, policyArb, fc.nat(5), (specInput, policyInput, existing) => {
        checkedRuns++;
        const policy = outcome(() => parseNamespacePolicy(policyInput));
        const spec = outcome(() => SandboxSpec.parse(specInput));
        if (!policy.ok || !spec.ok) return;
        const p: NamespacePolicy = policy.value;
        const checked = outcome(() => checkSandboxAgainstPolicy(spec.value, p, existing));
        if (!checked.ok) return;
        expect(within(spec.value.limits, p.maxLimits)).toBe(true);
        expect(p.allowedRuntimes).toContain(spec.value.runtime);
        expect(p.allowedModes).toContain(spec.value.mode);
        if (p.maxSandboxes !== null) expect(existing).toBeLessThan(p.maxSandboxes);
        accepted++;
      }),
      { numRuns: 2000 },
    );
    // The property is only worth something if many generated sandboxes got all the way through.
    expect(accepted).toBeGreaterThan(checkedRuns / 200);
  });

  it('an exec request parses into limits at or under the sandbox limits and the policy, or a DomainError', () => {
    fc.assert(
      fc.property(execArb, fc.constantFrom('javascript', 'wasi') as fc.Arbitrary<'javascript' | 'wasi'>, sandboxLimits, policyArb, (body, runtime, limits, policyInput) => {
        const policy = outcome(() => parseNamespacePolicy(policyInput));
        if (!policy.ok) return;
        const effective = effectiveLimits(limits, policy.value);
        expect(within(effective, policy.value.maxLimits)).toBe(true);
        const r = outcome(() => parseExecRequest(body, runtime, effective));
        if (!r.ok) return;
        expect(within(r.value.limits, effective)).toBe(true);
        expect(r.value.limits.timeoutMs).toBeGreaterThanOrEqual(1);
        if (runtime === 'javascript') expect(typeof r.value.code).toBe('string');
        else expect(r.value.code).toBeUndefined();
      }),
      { numRuns: 3000 },
    );
  });
});
