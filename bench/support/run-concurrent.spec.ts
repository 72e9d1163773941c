import { runConcurrent } from './run-concurrent';

const tick = () => new Promise<void>((r) => setImmediate(r));

describe('runConcurrent', () => {
  it('runs every index exactly once and never exceeds the concurrency', async () => {
    const seen: number[] = [];
    let inFlight = 0;
    let peak = 0;
    const run = await runConcurrent(50, 4, async (i) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await tick();
      seen.push(i);
      inFlight--;
    });
    expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(peak).toBe(4);
    expect(run.latenciesMs).toHaveLength(50);
    expect(run.elapsedMs).toBeGreaterThan(0);
  });

  it('stops starting operations after the first failure and rethrows it', async () => {
    let started = 0;
    const boom = new Error('boom');
    await expect(
      runConcurrent(1000, 2, async (i) => {
        started++;
        await tick();
        if (i === 3) throw boom;
      }),
    ).rejects.toBe(boom);
    expect(started).toBeLessThan(10);
  });

  it('handles nothing to do and rejects nonsense parameters', async () => {
    await expect(runConcurrent(0, 16, async () => undefined)).resolves.toMatchObject({ latenciesMs: [] });
    await expect(runConcurrent(10, 0, async () => undefined)).rejects.toThrow(RangeError);
    await expect(runConcurrent(-1, 1, async () => undefined)).rejects.toThrow(RangeError);
  });
});
