/** How one attempt ended, as the sender saw it. */
export type AttemptResult =
  | { kind: 'response'; statusCode: number; retryAfterSeconds?: number }
  | { kind: 'timeout' }
  | { kind: 'connection_error'; message: string }
  | { kind: 'refused'; message: string };

/** Longest `Retry-After` honoured; a larger one is treated as this. */
export const RETRY_AFTER_MAX_MS = 3_600_000;

export interface RetrySchedule {
  maxAttempts: number;
  baseMs: number;
  maxMs: number;
}

export type AttemptVerdict = { outcome: 'succeeded' } | { outcome: 'failed'; retryable: boolean };

/**
 * 2xx succeeds. 5xx, timeouts, connection errors, 408 and 429 are worth retrying; every other 4xx
 * (and 3xx: redirects are not followed, a webhook target must answer itself) means the receiver
 * rejected this message, so sending it again cannot help. A target refused by the SSRF guard is final.
 */
export function judgeAttempt(r: AttemptResult): AttemptVerdict {
  if (r.kind === 'timeout' || r.kind === 'connection_error') return { outcome: 'failed', retryable: true };
  if (r.kind === 'refused') return { outcome: 'failed', retryable: false };
  if (r.statusCode >= 200 && r.statusCode < 300) return { outcome: 'succeeded' };
  if (r.statusCode >= 500 || r.statusCode === 408 || r.statusCode === 429) return { outcome: 'failed', retryable: true };
  return { outcome: 'failed', retryable: false };
}

/**
 * Delay before the next attempt after `attemptsSoFar` failures in this round: exponential
 * (base * 2^(n-1), capped) with "equal jitter" (half fixed, half random), so receivers recovering
 * from an outage are not hit by every sender at the same instant. A `Retry-After` the receiver sent
 * (408/429) wins when it is longer: the receiver knows its limits better than our schedule does, up to an hour.
 */
export function retryDelayMs(attemptsSoFar: number, schedule: RetrySchedule, random: () => number, retryAfterSeconds?: number): number {
  const exp = Math.min(schedule.maxMs, schedule.baseMs * 2 ** Math.max(0, attemptsSoFar - 1));
  const jittered = Math.round(exp / 2 + (exp / 2) * random());
  if (retryAfterSeconds === undefined) return jittered;
  return Math.max(jittered, Math.min(RETRY_AFTER_MAX_MS, retryAfterSeconds * 1000));
}

/** `Retry-After` as delta-seconds or an HTTP date; undefined when absent or unparseable. */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const v = value.trim();
  if (/^\d{1,9}$/.test(v)) return Number(v);
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - nowMs) / 1000));
}
