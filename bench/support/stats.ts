/** Middle value (mean of the two middle ones for an even count); NaN for no values. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Nearest-rank percentile (p in 0..100) of unsorted values; NaN for no values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  if (p < 0 || p > 100) throw new RangeError(`percentile out of range: ${p}`);
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

/** Operations per second for `count` operations that took `elapsedMs`. */
export function ratePerSecond(count: number, elapsedMs: number): number {
  if (elapsedMs <= 0) throw new RangeError('elapsed time must be positive');
  return (count * 1000) / elapsedMs;
}

/** 12345.6 -> "12,346" (fixed locale, so the docs don't depend on the machine's). */
export function formatInt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** Ratio with two decimals and an "x", e.g. "0.87x". */
export function formatRatio(r: number): string {
  return `${r.toFixed(2)}x`;
}
