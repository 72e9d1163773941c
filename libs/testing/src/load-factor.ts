import { availableParallelism, loadavg } from 'node:os';

/**
 * How much a wall-clock bound may stretch on this machine right now: 1 up to one runnable task per core, the
 * 1-minute load average per core above that (load 20 on 2 cores: 10). For bounds that hold on a quiet machine and
 * must still fail when the guarantee is gone (a deadline never enforced runs until the test's own timeout).
 */
export function loadFactor(): number {
  return Math.max(1, loadavg()[0] / availableParallelism());
}
