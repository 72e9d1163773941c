const CONTEXT_TOKENS = 4;

/**
 * Turns generated token ids into text deltas whose concatenation is exactly the detokenized whole. Byte tokens
 * can split a UTF-8 sequence: a decoded tail that ends in U+FFFD may still change when the next byte comes, so
 * tokens stay pending until their text ends cleanly (then the decoder holds no partial sequence and the text up to
 * there is final), and the pending part is emitted only up to its trailing replacement characters. Tokens after
 * the last clean boundary are decoded with a few before them as context (SentencePiece spacing), which keeps the
 * work linear in practice. Enough characters to recognise a stop sequence are held back as well, so a stop
 * sequence never reaches the client.
 */
export class TextStream {
  private committed = '';
  private committedTokens: number[] = [];
  private pending: number[] = [];
  private text = '';
  private emitted = 0;
  stopped = false;

  constructor(
    private readonly detokenize: (tokens: readonly number[], lastTokens: readonly number[]) => string,
    private readonly stop: readonly string[],
  ) {}

  /** Adds a token; returns the text that may be sent now ('' when held back). */
  push(token: number): string {
    this.pending.push(token);
    const tail = this.detokenize(this.pending, this.committedTokens.slice(-CONTEXT_TOKENS));
    this.text = this.committed + tail;
    let stable = this.text.length;
    if (tail.endsWith('\uFFFD')) {
      while (stable > this.committed.length && this.text.charCodeAt(stable - 1) === 0xfffd) stable--;
    } else {
      this.committed = this.text;
      this.committedTokens.push(...this.pending);
      if (this.committedTokens.length > 64) this.committedTokens = this.committedTokens.slice(-CONTEXT_TOKENS);
      this.pending = [];
    }
    for (const s of this.stop) {
      const at = this.text.indexOf(s, Math.max(0, this.emitted - s.length));
      if (at >= 0) {
        this.text = this.text.slice(0, at);
        this.stopped = true;
        return this.take(this.text.length);
      }
    }
    const hold = this.stop.reduce((m, s) => Math.max(m, s.length - 1), 0);
    return this.take(stable - hold);
  }

  /** The rest once generation ended. */
  end(): string {
    return this.take(this.text.length);
  }

  get fullText(): string {
    return this.text;
  }

  private take(upTo: number): string {
    if (upTo <= this.emitted) return '';
    const out = this.text.slice(this.emitted, upTo);
    this.emitted = upTo;
    return out;
  }
}
