export interface PacerOptions {
  /** Chunks in flight (sent, not yet credited back) before further text waits in the buffer. */
  window: number;
  /** Least time between two chunks (ms); 0 = each as soon as the window allows. The first chunk never waits. */
  coalesceMs: number;
  /** Buffered tokens past which the buffer leaves at once (window allowing), and past which decoding must wait. */
  maxBuffered: number;
}

/**
 * Paces one generation's text to the daemon. Every chunk costs a message, a socket write and a client read, each
 * on a thread that competes with decoding for the cores, so tokens that come faster than `coalesceMs` travel
 * together; the first chunk leaves at once. Flow control is by credit: the daemon returns one per chunk it wrote
 * to its client, and with `window` chunks in flight text waits here; past `maxBuffered` tokens the decoder waits
 * (`mustWait`), so a client that stops reading stops the model.
 */
export class ChunkPacer {
  private buffer = '';
  /** Tokens with text in `buffer`. */
  private buffered = 0;
  /** Tokens generated since the last chunk (text or not): reported with the next one. */
  private unreported = 0;
  private inflight = 0;
  /** When the last chunk left; undefined until the first did. */
  private sentAt?: number;
  private timer?: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly opts: PacerOptions,
    private readonly send: (text: string, tokens: number) => void,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** A token was generated (whether or not it added text yet). */
  token(): void {
    this.unreported++;
  }

  /** Text of the latest token(s). */
  push(text: string): void {
    this.buffer += text;
    this.buffered++;
    this.offer();
  }

  /** The daemon took `n` chunks. */
  credit(n: number): void {
    this.inflight -= n;
    this.offer();
  }

  /** The decoder should wait for a credit: the window is full and the buffer at its bound. */
  get mustWait(): boolean {
    return !this.closed && this.buffered >= this.opts.maxBuffered && this.inflight >= this.opts.window;
  }

  /** The generation ended: what is left leaves now, window or not (`extra`: text only the end released). */
  finish(extra = ''): void {
    this.buffer += extra;
    this.flush();
    this.close();
  }

  /** Aborted or failed: nothing more is sent. */
  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private offer(): void {
    if (this.closed || !this.buffer || this.inflight >= this.opts.window) return;
    const due = this.sentAt === undefined ? 0 : this.sentAt + this.opts.coalesceMs - this.now();
    if (due <= 0 || this.buffered >= this.opts.maxBuffered) return this.flush();
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.offer();
    }, Math.ceil(due));
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.closed || !this.buffer) return;
    this.inflight++;
    this.sentAt = this.now();
    const [text, tokens] = [this.buffer, this.unreported];
    this.buffer = '';
    this.buffered = 0;
    this.unreported = 0;
    this.send(text, tokens);
  }
}
