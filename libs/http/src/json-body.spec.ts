import { checkJsonBody, hasLoneSurrogate } from './json-body';

describe('checkJsonBody', () => {
  it('refuses lone surrogates in values and keys, accepts pairs', () => {
    expect(hasLoneSurrogate('\ud83d\ude00')).toBe(false);
    for (const s of ['\ud800', '\udc00', '\udfff\ud800', 'a\ud83d']) expect(hasLoneSurrogate(s)).toBe(true);
    expect(checkJsonBody({ a: ['ok', { b: 'x\udc00' }] })?.problemCode).toBe('HTTP.INVALID_TEXT');
    expect(checkJsonBody({ ['\ud800']: 1 })?.problemCode).toBe('HTTP.INVALID_TEXT');
    expect(checkJsonBody({ a: ['😀', { b: 'é' }] })).toBeUndefined();
  });

  it('refuses nesting deeper than the limit without recursing', () => {
    expect(checkJsonBody({ a: { b: 1 } }, 2)).toBeUndefined();
    expect(checkJsonBody({ a: { b: {} } }, 2)?.problemCode).toBe('HTTP.BODY_TOO_DEEP');
    expect(checkJsonBody(JSON.parse('['.repeat(100_000) + ']'.repeat(100_000)))?.problemCode).toBe('HTTP.BODY_TOO_DEEP');
  });
});
