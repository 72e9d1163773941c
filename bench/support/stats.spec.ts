import { formatInt, formatRatio, median, percentile, ratePerSecond } from './stats';

describe('bench stats', () => {
  it('takes the median of odd and even counts without mutating the input', () => {
    const input = [5, 1, 3];
    expect(median(input)).toBe(3);
    expect(input).toEqual([5, 1, 3]);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
    expect(median([])).toBeNaN();
  });

  it('takes nearest-rank percentiles', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1, unsorted
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 100)).toBe(100);
    expect(percentile(values, 0)).toBe(1);
    expect(percentile([], 50)).toBeNaN();
    expect(() => percentile(values, 101)).toThrow(RangeError);
  });

  it('computes rates and formats numbers independently of the locale', () => {
    expect(ratePerSecond(20_000, 4_000)).toBe(5_000);
    expect(() => ratePerSecond(1, 0)).toThrow(RangeError);
    expect(formatInt(12345.6)).toBe('12,346');
    expect(formatRatio(0.8666)).toBe('0.87x');
  });
});
