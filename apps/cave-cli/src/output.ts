import { once } from 'node:events';
import type { Writable } from 'node:stream';

/** Writes respecting backpressure: waits for 'drain' instead of buffering without bound. */
export async function writeWithBackpressure(out: Writable, chunk: string): Promise<void> {
  if (!out.write(chunk)) await once(out, 'drain');
}

/** A one-line progress bar on stderr (redrawn in place on a terminal, a line every few seconds otherwise). */
export class ProgressBar {
  private lastDraw = 0;
  private lastDrawn = -1;
  private readonly started = Date.now();

  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly err: NodeJS.WriteStream = process.stderr,
  ) {}

  update(done: number, force = false): void {
    const now = Date.now();
    const interval = this.err.isTTY ? 100 : 5_000;
    if ((!force && now - this.lastDraw < interval) || done === this.lastDrawn) return;
    this.lastDraw = now;
    this.lastDrawn = done;
    const ratio = this.total > 0 ? Math.min(done / this.total, 1) : 1;
    const width = 30;
    const filled = Math.round(ratio * width);
    const rate = done / Math.max((now - this.started) / 1000, 0.001);
    const line = `${this.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(ratio * 100).toFixed(1)}% ${done}/${this.total} ${Math.round(rate)}/s`;
    this.err.write(this.err.isTTY ? `\r${line}` : `${line}\n`);
  }

  done(done: number): void {
    this.update(done, true);
    if (this.err.isTTY) this.err.write('\n');
  }
}
