/**
 * A byte-rate limiter shared by concurrent downloads: each `take` books its bytes at once (the balance may go
 * negative) and waits until the balance would be back at zero, so concurrent takers are served in booking order
 * and the long-run rate never exceeds `bytesPerSec`. A rate of 0 means unlimited.
 */
export class TokenBucket {
  private balance: number;
  private last = performance.now();

  constructor(
    readonly bytesPerSec: number,
    private readonly burstBytes = Math.max(64 * 1024, Math.floor(bytesPerSec / 8)),
  ) {
    this.balance = burstBytes;
  }

  async take(bytes: number): Promise<void> {
    if (this.bytesPerSec <= 0) return;
    const now = performance.now();
    this.balance = Math.min(this.burstBytes, this.balance + ((now - this.last) / 1000) * this.bytesPerSec);
    this.last = now;
    this.balance -= bytes;
    if (this.balance < 0) await new Promise((r) => setTimeout(r, (-this.balance / this.bytesPerSec) * 1000));
  }
}
