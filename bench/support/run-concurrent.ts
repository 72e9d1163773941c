import { performance } from 'node:perf_hooks';

export interface ConcurrentRun {
  /** Wall-clock time from the first operation's start to the last one's end. */
  elapsedMs: number;
  /** Latency of every operation, in completion order. */
  latenciesMs: number[];
}

/**
 * Runs `op(0..total-1)` with at most `concurrency` in flight: a closed loop of workers, each
 * starting the next operation as soon as its previous one settled (how a busy service behaves).
 * The first failure stops every worker from starting more and is rethrown.
 */
export async function runConcurrent(total: number, concurrency: number, op: (i: number) => Promise<unknown>): Promise<ConcurrentRun> {
  if (!Number.isInteger(total) || total < 0) throw new RangeError('total must be a non-negative integer');
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError('concurrency must be a positive integer');
  const latenciesMs: number[] = [];
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < total) {
      const i = next++;
      const t0 = performance.now();
      try {
        await op(i);
      } catch (e) {
        failed = true;
        throw e;
      }
      latenciesMs.push(performance.now() - t0);
    }
  };
  const start = performance.now();
  const results = await Promise.allSettled(Array.from({ length: Math.min(concurrency, Math.max(total, 1)) }, worker));
  const elapsedMs = performance.now() - start;
  const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) throw failure.reason;
  return { elapsedMs, latenciesMs };
}
