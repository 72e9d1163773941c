import { afterPrefix, decodeCursor, encodeCursor } from './list-cursor';
import { assertObjectKey } from './names';
import { decideObject, evolveObject, initialObjectState } from './object.decider';
import { checkQuota } from './quota';
import { parseRange } from './range';
import { signGrant, verifyGrant } from './signed-url';
import { partsToComplete, decideUpload, evolveUpload, uploadDecider } from './upload.decider';

describe('object keys', () => {
  it.each(['a', 'a/b/c.txt', 'dir/', 'é/ü', 'a..b', '.hidden', 'k'.repeat(1024)])('accepts %p', (k) => expect(() => assertObjectKey(k)).not.toThrow());
  it.each(['', '../x', 'a/../b', 'a/./b', '..', '/abs', 'a\u0000b', 'a\nb', 'a\\b', 'k'.repeat(1025), 'é'.repeat(513)])('refuses %p', (k) => expect(() => assertObjectKey(k)).toThrow(expect.objectContaining({ code: 'STORAGE.INVALID_KEY' })));
});

describe('Range', () => {
  it('resolves one range against the size', () => {
    expect(parseRange('bytes=0-0', 10)).toEqual({ start: 0, end: 0 });
    expect(parseRange('bytes=5-', 10)).toEqual({ start: 5, end: 9 });
    expect(parseRange('bytes=-3', 10)).toEqual({ start: 7, end: 9 });
    expect(parseRange('bytes=-30', 10)).toEqual({ start: 0, end: 9 });
    expect(parseRange('bytes=2-100', 10)).toEqual({ start: 2, end: 9 });
  });
  it('ignores what it does not serve and refuses what lies outside', () => {
    expect(parseRange(undefined, 10)).toBeUndefined();
    expect(parseRange('bytes=0-1,3-4', 10)).toBeUndefined();
    expect(parseRange('items=0-1', 10)).toBeUndefined();
    expect(parseRange('bytes=5-2', 10)).toBeUndefined();
    expect(() => parseRange('bytes=10-', 10)).toThrow(expect.objectContaining({ code: 'STORAGE.RANGE_NOT_SATISFIABLE' }));
    expect(() => parseRange('bytes=-0', 10)).toThrow();
    expect(() => parseRange('bytes=0-', 0)).toThrow();
  });
});

describe('list cursor', () => {
  it('round-trips and refuses forgeries', () => {
    for (const p of [{ after: 'a/b' }, { from: 'c0' }, { after: '' }]) expect(decodeCursor(encodeCursor(p))).toEqual(p);
    expect(() => decodeCursor('bogus')).toThrow(expect.objectContaining({ code: 'STORAGE.INVALID_CURSOR' }));
    expect(() => decodeCursor(Buffer.from('v2:a:x').toString('base64url'))).toThrow();
  });
  it('afterPrefix is above every key with the prefix and below the next one', () => {
    const next = afterPrefix('a/');
    expect(['a/', 'a/zzz', 'a/\u{10ffff}'].every((k) => k < next)).toBe(true);
    expect('a0' >= next).toBe(true);
  });
});

describe('signed grants', () => {
  const g = { namespace: 'ns', bucket: 'b', key: 'k', method: 'GET' as const, expires: 2000, issuer: 'key-1' };
  const sig = signGrant('s'.repeat(32), g);
  it('verifies exactly the grant that was signed, until it expires', () => {
    expect(() => verifyGrant('s'.repeat(32), g, sig, 1999)).not.toThrow();
    expect(() => verifyGrant('s'.repeat(32), g, sig, 2001)).toThrow(expect.objectContaining({ code: 'STORAGE.SIGNED_URL_EXPIRED' }));
    for (const other of [{ key: 'k2' }, { bucket: 'b2' }, { namespace: 'ns2' }, { method: 'PUT' as const }, { expires: 3000 }, { issuer: 'key-2' }]) {
      expect(() => verifyGrant('s'.repeat(32), { ...g, ...other }, sig, 1)).toThrow(expect.objectContaining({ code: 'STORAGE.SIGNATURE_INVALID' }));
    }
    expect(() => verifyGrant('t'.repeat(32), g, sig, 1)).toThrow();
  });
});

describe('object decider', () => {
  const stored = evolveObject(initialObjectState, { type: 'object_stored', data: { bucket: 'b', key: 'k', size: 1, sha256: 'aa', contentType: 'x', version: 1, blob: 'aa' } });
  const store = (preconditions = {}) => ({ type: 'store' as const, data: { bucket: 'b', key: 'k', size: 2, sha256: 'bb', contentType: 'x', blob: 'bb' }, preconditions });
  it('stores with the next version and honours If-Match / If-None-Match', () => {
    expect(decideObject(store(), stored)).toEqual([{ type: 'object_stored', data: expect.objectContaining({ version: 2, sha256: 'bb' }) }]);
    expect(() => decideObject(store({ ifNoneMatch: ['*'] }), stored)).toThrow(expect.objectContaining({ code: 'STORAGE.PRECONDITION_FAILED' }));
    expect(decideObject(store({ ifNoneMatch: ['*'] }), initialObjectState)).toHaveLength(1);
    expect(decideObject(store({ ifMatch: ['aa'] }), stored)).toHaveLength(1);
    expect(() => decideObject(store({ ifMatch: ['zz'] }), stored)).toThrow();
    expect(() => decideObject(store({ ifMatch: ['*'] }), initialObjectState)).toThrow();
  });
  it('deletes only what exists', () => {
    expect(() => decideObject({ type: 'delete', bucket: 'b', key: 'k', preconditions: {} }, initialObjectState)).toThrow(expect.objectContaining({ code: 'STORAGE.OBJECT_NOT_FOUND' }));
    expect(decideObject({ type: 'delete', bucket: 'b', key: 'k', preconditions: {} }, stored)).toEqual([{ type: 'object_deleted', data: { bucket: 'b', key: 'k', version: 2 } }]);
  });
});

describe('quota', () => {
  it('refuses growth past a limit, never shrinking', () => {
    expect(() => checkQuota({ bytes: 10, objects: 0 }, { bytes: 5, objects: 1 }, 6, 1)).toThrow(expect.objectContaining({ code: 'STORAGE.QUOTA_EXCEEDED', kind: 'too_large' }));
    expect(() => checkQuota({ bytes: 10, objects: 0 }, { bytes: 50, objects: 1 }, -1, 0)).not.toThrow();
    expect(() => checkQuota({ bytes: 0, objects: 2 }, { bytes: 0, objects: 2 }, 1, 1)).toThrow();
    expect(() => checkQuota({ bytes: 0, objects: 2 }, { bytes: 0, objects: 2 }, 1, 0)).not.toThrow();
  });
});

describe('upload decider', () => {
  const part = (n: number) => ({ partNumber: n, size: 1, sha256: 's', blob: 'b' });
  it('collects parts (the latest of a number wins) and completes named parts in ascending order', () => {
    let s = uploadDecider.initialState;
    for (const e of [...decideUpload({ type: 'create', uploadId: 'u', bucket: 'b', key: 'k', contentType: 'x' }, s)]) s = evolveUpload(s, e);
    for (const n of [2, 1, 2]) for (const e of decideUpload({ type: 'upload_part', uploadId: 'u', part: part(n) }, s)) s = evolveUpload(s, e);
    expect(partsToComplete(s, undefined).map((p) => p.partNumber)).toEqual([1, 2]);
    expect(() => partsToComplete(s, [2, 1])).toThrow(expect.objectContaining({ code: 'STORAGE.INVALID_PARTS' }));
    expect(() => partsToComplete(s, [3])).toThrow();
    for (const e of decideUpload({ type: 'abort', uploadId: 'u' }, s)) s = evolveUpload(s, e);
    expect(() => decideUpload({ type: 'upload_part', uploadId: 'u', part: part(3) }, s)).toThrow(expect.objectContaining({ code: 'STORAGE.UPLOAD_NOT_OPEN' }));
  });
});
