import { canonicalJson, requestFingerprint } from './request-fingerprint';

describe('request fingerprint', () => {
  it('ignores key order and whitespace, not values', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: null } })).toBe('{"a":{"c":null,"d":[1,{"x":1,"y":2}]},"b":1}');
    expect(requestFingerprint('POST', '/x', { a: 1, b: 2 })).toBe(requestFingerprint('post', '/x', { b: 2, a: 1 }));
    expect(requestFingerprint('POST', '/x', { a: 1 })).not.toBe(requestFingerprint('POST', '/x', { a: 2 }));
  });
  it('distinguishes method, path and an absent body from an empty one', () => {
    const fp = requestFingerprint('POST', '/a', undefined);
    expect(fp).not.toBe(requestFingerprint('POST', '/b', undefined));
    expect(fp).not.toBe(requestFingerprint('DELETE', '/a', undefined));
    expect(fp).not.toBe(requestFingerprint('POST', '/a', {}));
  });
});
