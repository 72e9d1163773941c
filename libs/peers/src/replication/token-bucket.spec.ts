import { TokenBucket } from './token-bucket';

describe('TokenBucket', () => {
  it('holds concurrent takers to the configured rate', async () => {
    const bucket = new TokenBucket(1_000_000, 64 * 1024);
    const t0 = performance.now();
    // 64 KiB burst + 4 x 100 KB at 1 MB/s: at least ~0.34 s.
    await Promise.all([0, 1, 2, 3].map(() => bucket.take(100_000)));
    const seconds = (performance.now() - t0) / 1000;
    expect(seconds).toBeGreaterThan(0.3);
    expect(seconds).toBeLessThan(2);
  });

  it('never waits when unlimited', async () => {
    const bucket = new TokenBucket(0);
    const t0 = performance.now();
    for (let i = 0; i < 1000; i++) await bucket.take(1 << 20);
    expect(performance.now() - t0).toBeLessThan(100);
  });
});
