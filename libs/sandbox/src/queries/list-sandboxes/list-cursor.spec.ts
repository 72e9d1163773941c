import { decodeListCursor, encodeListCursor, InvalidListCursorError } from './list-cursor';

describe('sandbox list cursor', () => {
  it('round-trips a position', () => {
    expect(decodeListCursor(encodeListCursor(123456))).toBe(123456);
  });
  it.each(['', 'abc', 'djE6', 'djE6eA', Buffer.from('v2:5').toString('base64url'), encodeListCursor(5) + '=', '../../etc'])(
    'rejects %j as a client error',
    (raw) => {
      expect(() => decodeListCursor(raw)).toThrow(InvalidListCursorError);
    },
  );
});
