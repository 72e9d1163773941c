import { LogThrottle } from './log-throttle';

describe('LogThrottle', () => {
  let now = 0;
  const throttle = () => new LogThrottle(10_000, () => now);
  beforeEach(() => (now = 1_000_000));

  it('writes the first occurrence, drops the rest of the interval, then writes one line with the dropped count', () => {
    const t = throttle();
    expect(t.admit('db')).toEqual({ suppressed: 0 });
    for (let i = 0; i < 500; i++) {
      now += 10;
      expect(t.admit('db')).toBeUndefined();
    }
    now += 5_000;
    expect(t.admit('db')).toEqual({ suppressed: 500 });
    expect(t.admit('db')).toBeUndefined();
  });

  it('keeps keys apart', () => {
    const t = throttle();
    expect(t.admit('db')).toEqual({ suppressed: 0 });
    expect(t.admit('health')).toEqual({ suppressed: 0 });
    expect(t.admit('db')).toBeUndefined();
  });

  it('clear reports what was dropped and lets the next occurrence through at once', () => {
    const t = throttle();
    expect(t.clear('db')).toBeUndefined();
    t.admit('db');
    t.admit('db');
    t.admit('db');
    expect(t.clear('db')).toBe(2);
    expect(t.admit('db')).toEqual({ suppressed: 0 });
  });
});
