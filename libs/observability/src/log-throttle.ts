/**
 * Bounds how often one kind of warning is written: the first occurrence at once, then at most one line
 * per `intervalMs`, which says how many were dropped since the previous line. A fault that every request
 * can trigger (the database down behind any bearer-shaped token) must not become a log flood that hides
 * everything else. Keys are fixed strings chosen by the caller, never request input, so the map stays small.
 */
export class LogThrottle {
  private readonly seen = new Map<string, { at: number; suppressed: number }>();

  constructor(
    private readonly intervalMs = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * One occurrence of `key`. Returns `undefined` when it is to be dropped, otherwise how many occurrences
   * were dropped since the last line written (include it in the line).
   */
  admit(key: string): { suppressed: number } | undefined {
    const t = this.now();
    const last = this.seen.get(key);
    if (last && t - last.at < this.intervalMs) {
      last.suppressed++;
      return undefined;
    }
    this.seen.set(key, { at: t, suppressed: 0 });
    return { suppressed: last?.suppressed ?? 0 };
  }

  /**
   * The fault of `key` is over: forget it (the next occurrence is written at once). Returns how many
   * occurrences were dropped since the last line, or `undefined` when none was seen.
   */
  clear(key: string): number | undefined {
    const last = this.seen.get(key);
    this.seen.delete(key);
    return last?.suppressed;
  }
}
