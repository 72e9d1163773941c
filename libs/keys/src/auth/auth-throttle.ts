import { Inject, Injectable } from '@nestjs/common';
import { CAVE_CONFIG, CaveConfig } from '@cave/config';

interface Window {
  startedMs: number;
  failures: number;
}

/** Bounds memory under an address-spraying attack; the oldest windows go first. */
const MAX_TRACKED = 100_000;

/**
 * Per-address throttle of failed authentications, per instance and in memory (documented in ADR
 * 0010: with N instances behind a balancer an address gets up to N x the limit). After `maxFailures`
 * failures in a fixed window every request from that address gets 429 until the window ends, even
 * with a valid key; other addresses are never affected, so a guesser cannot lock anyone else out.
 * Successes do not reset the count (an attacker holding one valid key could otherwise keep guessing).
 */
@Injectable()
export class AuthThrottle {
  private readonly windows = new Map<string, Window>();
  private readonly max: number;
  private readonly windowMs: number;

  /** The clock (a seam for unit tests). */
  now: () => number = Date.now;

  constructor(@Inject(CAVE_CONFIG) config: CaveConfig) {
    this.max = config.authThrottle.maxFailures;
    this.windowMs = config.authThrottle.windowSeconds * 1000;
  }

  /** Seconds until `address` may try again, or undefined when it is not throttled. */
  retryAfterSeconds(address: string): number | undefined {
    if (this.max === 0) return undefined;
    const w = this.current(address);
    if (!w || w.failures < this.max) return undefined;
    return Math.max(1, Math.ceil((w.startedMs + this.windowMs - this.now()) / 1000));
  }

  recordFailure(address: string): void {
    if (this.max === 0) return;
    const w = this.current(address);
    if (w) {
      w.failures++;
      return;
    }
    if (this.windows.size >= MAX_TRACKED) this.windows.delete(this.windows.keys().next().value as string);
    this.windows.set(address, { startedMs: this.now(), failures: 1 });
  }

  private current(address: string): Window | undefined {
    const w = this.windows.get(address);
    if (w && this.now() - w.startedMs >= this.windowMs) {
      this.windows.delete(address);
      return undefined;
    }
    return w;
  }
}
