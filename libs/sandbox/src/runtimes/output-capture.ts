import { createHash, Hash } from 'node:crypto';
import type { OutputChunk, OutputStream } from './runtime.types';

/** Live chunks stay small enough for one cross-instance notification (docs/adr/0015). */
export const MAX_CHUNK_CHARS = 1024;
const FLUSH_AFTER_MS = 20;

interface StreamState {
  hash: Hash;
  bytes: number;
  kept: string[];
}

/**
 * Captures a guest's output: hashes all of it, keeps at most `maxBytes` (stdout and stderr share
 * the budget, in arrival order) and hands the kept part on as ordered chunks, flushed when a chunk
 * fills up or 20 ms passed (checked on each write and on `tick`), so a long-running guest's output arrives while
 * it runs. A flood costs
 * the guest CPU time (bounded by its timeout), never daemon memory.
 */
export class OutputCapture {
  private readonly streams: Record<OutputStream, StreamState> = { stdout: fresh(), stderr: fresh() };
  private budget: number;
  private truncatedFlag = false;
  private seq = 0;
  private pending?: { stream: OutputStream; text: string };
  private lastFlush = Date.now();
  private readonly encoder = new TextEncoder();

  constructor(
    maxBytes: number,
    private readonly emit: (chunk: OutputChunk) => void,
  ) {
    this.budget = maxBytes;
  }

  write(stream: OutputStream, text: string): void {
    const s = this.streams[stream];
    const bytes = Buffer.byteLength(text);
    s.hash.update(text);
    s.bytes += bytes;
    if (this.budget <= 0) {
      if (bytes > 0) this.truncatedFlag = true;
      return;
    }
    let kept = text;
    if (bytes > this.budget) {
      kept = this.cut(text, this.budget);
      this.truncatedFlag = true;
    }
    this.budget -= Buffer.byteLength(kept);
    s.kept.push(kept);
    this.queue(stream, kept);
  }

  writeBytes(stream: OutputStream, bytes: Uint8Array): void {
    this.write(stream, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  }

  /**
   * Called while the guest runs (the engine's interrupt check): output that has waited 20 ms leaves even when the
   * guest writes nothing more, so a guest that prints and then computes is seen live.
   */
  tick(): void {
    if (this.pending && Date.now() - this.lastFlush >= FLUSH_AFTER_MS) this.flush();
  }

  get truncated(): boolean {
    return this.truncatedFlag;
  }

  /** Flushes what is pending and returns the kept text, sizes and full-stream hashes. */
  finish() {
    this.flush();
    const out = (s: StreamState) => ({ text: s.kept.join(''), bytes: s.bytes, sha256: s.hash.digest('hex') });
    return { stdout: out(this.streams.stdout), stderr: out(this.streams.stderr), truncated: this.truncatedFlag };
  }

  private queue(stream: OutputStream, text: string): void {
    if (this.pending && this.pending.stream !== stream) this.flush();
    this.pending = this.pending ? { stream, text: this.pending.text + text } : { stream, text };
    if (this.pending.text.length >= MAX_CHUNK_CHARS || Date.now() - this.lastFlush >= FLUSH_AFTER_MS) this.flush();
  }

  private flush(): void {
    const p = this.pending;
    this.pending = undefined;
    this.lastFlush = Date.now();
    if (!p) return;
    for (let i = 0; i < p.text.length; ) {
      let end = Math.min(i + MAX_CHUNK_CHARS, p.text.length);
      // Never split a surrogate pair across chunks.
      if (end < p.text.length && isHighSurrogate(p.text.charCodeAt(end - 1))) end -= 1;
      this.emit({ stream: p.stream, chunk: p.text.slice(i, end), seq: this.seq++ });
      i = end;
    }
  }

  /** The longest prefix of `text` that fits `maxBytes` of UTF-8 without splitting a character. */
  private cut(text: string, maxBytes: number): string {
    const buf = new Uint8Array(maxBytes);
    const { read } = this.encoder.encodeInto(text, buf);
    return text.slice(0, read);
  }
}

function fresh(): StreamState {
  return { hash: createHash('sha256'), bytes: 0, kept: [] };
}

function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}
