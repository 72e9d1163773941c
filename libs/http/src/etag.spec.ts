import { InvalidIfMatchError, parseIfMatch, versionETag } from './etag';

describe('ETag / If-Match', () => {
  it('round-trips a version', () => {
    expect(parseIfMatch(versionETag(7))).toBe(7);
    expect(parseIfMatch(' "12" ')).toBe(12);
  });
  it('absent or * means no precondition on the version', () => {
    expect(parseIfMatch(undefined)).toBeUndefined();
    expect(parseIfMatch('*')).toBeUndefined();
  });
  it.each(['7', 'W/"7"', '"a"', '"1", "2"', '""', '"99999999999"'])('rejects %j', (h) => {
    expect(() => parseIfMatch(h)).toThrow(InvalidIfMatchError);
  });
});
