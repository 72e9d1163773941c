import type { ServerResponse } from 'node:http';

/**
 * Writes Server-Sent Events to a raw response and respects backpressure: `write` resolves only once the socket
 * took the bytes (or the client is gone), so a slow reader slows generation instead of growing a buffer.
 */
export class SseWriter {
  private corked = false;

  constructor(private readonly res: ServerResponse) {}

  get closed(): boolean {
    return this.res.destroyed || this.res.writableEnded;
  }

  open(headers: Record<string, string>): void {
    // Many small writes in a row: without TCP_NODELAY each one after the first waits for the peer's (delayed) ACK.
    this.res.socket?.setNoDelay(true);
    // Corked before the head: the headers leave with the events written in this tick (the first text), as one
    // packet and one syscall, instead of a packet of their own that the client has to wake up for first.
    this.corkForTick();
    this.res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
      ...headers,
    });
  }

  async data(payload: unknown): Promise<void> {
    if (this.closed) return;
    const line = `data: ${typeof payload === 'string' ? payload : JSON.stringify(payload)}\n\n`;
    // Events written in the same tick (chunks that arrived together from the worker) leave in one packet.
    this.corkForTick();
    if (this.res.write(line)) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        this.res.off('drain', done);
        this.res.off('close', done);
        resolve();
      };
      this.res.on('drain', done);
      this.res.on('close', done);
    });
  }

  private corkForTick(): void {
    if (this.corked) return;
    this.corked = true;
    this.res.cork();
    process.nextTick(() => {
      this.corked = false;
      this.res.uncork();
    });
  }

  end(): void {
    if (!this.closed) this.res.end();
  }
}
