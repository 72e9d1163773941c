import { InvalidInputError, VALIDATION_CODE } from '@cave/kernel';
import { INVALID_CREATE_BODIES, validCreateBody } from '../../../../test/support/sandbox-bad-inputs';
import { LIMIT_BOUNDS } from './sandbox-limits';
import { SandboxSpec } from './sandbox-spec';

/** The REST bad-input table, straight through the domain parser: same refusal, same code, same field. */
describe('SandboxSpec.parse', () => {
  it.each(INVALID_CREATE_BODIES)('%s -> InvalidInputError naming the field', (_, input, field) => {
    let error: unknown;
    try {
      SandboxSpec.parse(input);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error).toMatchObject({ code: VALIDATION_CODE, kind: 'invalid' });
    if (field) expect((error as InvalidInputError).errors).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
  });

  it('names every refused field at once', () => {
    expect(() => SandboxSpec.parse({ name: '', runtime: 'cobol', mode: 'quick', limits: { memoryMb: 0 } })).toThrow(
      expect.objectContaining({ errors: [expect.objectContaining({ field: 'name' }), expect.objectContaining({ field: 'runtime' }), expect.objectContaining({ field: 'limits.memoryMb' })] }),
    );
  });

  it('fills defaults for omitted limits and labels, refuses null ones, and keeps what was given', () => {
    const defaults = { memoryMb: LIMIT_BOUNDS.memoryMb.default, timeoutMs: LIMIT_BOUNDS.timeoutMs.default, maxOutputBytes: LIMIT_BOUNDS.maxOutputBytes.default };
    expect(SandboxSpec.parse(validCreateBody)).toEqual({ ...validCreateBody, limits: defaults, labels: {} });
    expect(() => SandboxSpec.parse({ ...validCreateBody, limits: null })).toThrow(expect.objectContaining({ errors: [expect.objectContaining({ field: 'limits' })] }));
    expect(() => SandboxSpec.parse({ ...validCreateBody, labels: null })).toThrow(expect.objectContaining({ errors: [expect.objectContaining({ field: 'labels' })] }));
    expect(SandboxSpec.parse({ ...validCreateBody, limits: { memoryMb: null } })).toEqual({ ...validCreateBody, limits: defaults, labels: {} });
    expect(SandboxSpec.parse({ ...validCreateBody, limits: { memoryMb: 1024, maxOutputBytes: 0 }, labels: { team: 'a' } })).toEqual({
      ...validCreateBody,
      limits: { ...defaults, memoryMb: 1024, maxOutputBytes: 0 },
      labels: { team: 'a' },
    });
  });

  it('accepts the bounds themselves', () => {
    for (const [name, b] of Object.entries(LIMIT_BOUNDS)) {
      expect(() => SandboxSpec.parse({ ...validCreateBody, limits: { [name]: b.min } })).not.toThrow();
      expect(() => SandboxSpec.parse({ ...validCreateBody, limits: { [name]: b.max } })).not.toThrow();
    }
  });
});
