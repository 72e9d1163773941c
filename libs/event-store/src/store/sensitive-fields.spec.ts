import { publicEventData, REDACTED, registerSensitiveFields } from './sensitive-fields';

describe('sensitive event fields', () => {
  it('redacts registered fields of that event type only, without touching the original', () => {
    registerSensitiveFields('thing_keyed', ['digest']);
    const data = { digest: 'abc', name: 'n' };
    expect(publicEventData('thing_keyed', data)).toEqual({ digest: REDACTED, name: 'n' });
    expect(data.digest).toBe('abc');
    expect(publicEventData('other', data)).toBe(data);
  });
});
