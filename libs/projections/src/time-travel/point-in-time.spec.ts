import { InvalidPointInTimeError, parsePointInTime } from './point-in-time';

describe('parsePointInTime', () => {
  it('reads a global position or an ISO 8601 instant; nothing means now', () => {
    expect(parsePointInTime(undefined)).toBeUndefined();
    expect(parsePointInTime('')).toBeUndefined();
    expect(parsePointInTime('0')).toEqual({ position: 0 });
    expect(parsePointInTime('4711')).toEqual({ position: 4711 });
    expect(parsePointInTime('2026-11-25T12:00:00Z')).toEqual({ time: new Date('2026-11-25T12:00:00Z') });
    expect(parsePointInTime('2026-11-25T12:00:00.123+02:00')).toEqual({ time: new Date('2026-11-25T10:00:00.123Z') });
    expect(parsePointInTime('2026-11-25')).toEqual({ time: new Date('2026-11-25') });
  });

  it.each(['-1', '1.5', 'yesterday', '2026-13-45T99:00:00Z', '1e3', '9999999999999999', 'now'])('rejects %s as a 400 domain error', (raw) => {
    expect(() => parsePointInTime(raw)).toThrow(InvalidPointInTimeError);
  });
});
