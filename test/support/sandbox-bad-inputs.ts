/**
 * Bad create-sandbox inputs and the field each must be refused on: one table, driven through REST
 * (test/sandbox.e2e-spec.ts) and straight through the domain parser (SandboxSpec.parse), so every edge
 * refuses the same input with the same code.
 */
export const validCreateBody = { name: 'build-runner', runtime: 'javascript', mode: 'quick' };

const body = validCreateBody;

export const INVALID_CREATE_BODIES: [string, unknown, string?][] = [
  ['missing name', { runtime: 'javascript', mode: 'quick' }, 'name'],
  ['missing runtime', { name: 'x', mode: 'quick' }, 'runtime'],
  ['unknown field', { ...body, colour: 'red' }, 'colour'],
  ['unknown nested field', { ...body, limits: { memoryMb: 64, cpu: 2 } }, 'limits.cpu'],
  ['name of wrong type', { ...body, name: 42 }, 'name'],
  ['empty name', { ...body, name: '' }, 'name'],
  ['name too long', { ...body, name: 'n'.repeat(101) }, 'name'],
  ['name with control characters', { ...body, name: 'a\u0000b' }, 'name'],
  ['runtime not in enum', { ...body, runtime: 'python' }, 'runtime'],
  ['mode not in enum', { ...body, mode: 'fast' }, 'mode'],
  ['limit as string', { ...body, limits: { memoryMb: '64' } }, 'limits.memoryMb'],
  ['fractional limit', { ...body, limits: { memoryMb: 1.5 } }, 'limits.memoryMb'],
  ['memoryMb below range', { ...body, limits: { memoryMb: 0 } }, 'limits.memoryMb'],
  ['memoryMb above range', { ...body, limits: { memoryMb: 1025 } }, 'limits.memoryMb'],
  ['timeoutMs above range', { ...body, limits: { timeoutMs: 60001 } }, 'limits.timeoutMs'],
  ['maxOutputBytes below range', { ...body, limits: { maxOutputBytes: -1 } }, 'limits.maxOutputBytes'],
  ['maxOutputBytes above range', { ...body, limits: { maxOutputBytes: 1048577 } }, 'limits.maxOutputBytes'],
  ['limits not an object', { ...body, limits: 5 }, 'limits'],
  ['limits null', { ...body, limits: null }, 'limits'],
  ['labels null', { ...body, labels: null }, 'labels'],
  ['labels not an object', { ...body, labels: ['a'] }, 'labels'],
  ['label value not a string', { ...body, labels: { a: 1 } }, 'labels'],
  ['label key invalid', { ...body, labels: { 'bad key!': 'v' } }, 'labels'],
  ['label value too long', { ...body, labels: { a: 'v'.repeat(256) } }, 'labels'],
  ['too many labels', { ...body, labels: Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, 'v'])) }, 'labels'],
  ['array body', [body], 'body'],
  ['string body', 'hello', 'body'],
  ['number body', 42, 'body'],
];
