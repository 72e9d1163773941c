import type { ServerResponse } from 'node:http';

/**
 * Writes Server-Sent Events to a raw response and respects backpressure: `write` resolves only once the socket
 * took the bytes (or the client is gone), so a slow reader slows generation instead of growing a buffer.
 */
export class SseWriter {
  constructor(private readonly res: ServerResponse) {}

  get closed(): boolean {
    return this.res.destroyed || this.res.writableEnded;
  }

  open(headers: Record<string, string>): void {
    // Many small writes in a row: without TCP_NODELAY each one after the first waits for the peer's (delayed) ACK.
    this.res.socket?.setNoDelay(true);
    this.res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
      ...headers,
    });
    // Headers go out now: the client sees the stream start before the first token is decoded.
    this.res.flushHeaders();
  }

  async data(payload: unknown): Promise<void> {
    if (this.closed) return;
    const line = `data: ${typeof payload === 'string' ? payload : JSON.stringify(payload)}\n\n`;
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

  end(): void {
    if (!this.closed) this.res.end();
  }
}
