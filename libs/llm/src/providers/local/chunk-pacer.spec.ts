import { ChunkPacer, PacerOptions } from './chunk-pacer';

/** A pacer on jest's fake clock (from 0): `at(ms)` moves time and its timers forward. */
function pacer(opts: Partial<PacerOptions> = {}) {
  jest.setSystemTime(0);
  const sent: { text: string; tokens: number; at: number }[] = [];
  const p = new ChunkPacer({ window: 2, coalesceMs: 4, maxBuffered: 64, ...opts }, (text, tokens) => sent.push({ text, tokens, at: Date.now() }), () => Date.now());
  const at = (ms: number) => jest.advanceTimersByTime(ms - Date.now());
  const token = (text: string) => {
    p.token();
    if (text) p.push(text);
  };
  return { p, sent, at, token };
}

describe('ChunkPacer', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('sends the first text at once and what follows within coalesceMs together, when the interval is up', () => {
    const { p, sent, at, token } = pacer();
    token('a');
    expect(sent).toEqual([{ text: 'a', tokens: 1, at: 0 }]);
    p.credit(1);
    at(1);
    token('b');
    at(2);
    token('');
    token('c');
    at(3);
    expect(sent).toHaveLength(1);
    // 4 ms after the first chunk left, what gathered meanwhile leaves as one.
    at(4);
    expect(sent[1]).toEqual({ text: 'bc', tokens: 3, at: 4 });
    p.finish('!');
    expect(sent[2]).toEqual({ text: '!', tokens: 0, at: 4 });
  });

  it('with coalesceMs 0 sends every text as it comes while the window has room', () => {
    const { p, sent, token } = pacer({ coalesceMs: 0 });
    token('a');
    token('b');
    expect(sent.map((s) => s.text)).toEqual(['a', 'b']);
    // Window full: text waits for a credit, then leaves as one chunk.
    token('c');
    token('d');
    expect(sent).toHaveLength(2);
    p.credit(1);
    expect(sent.map((s) => s.text)).toEqual(['a', 'b', 'cd']);
  });

  it('holds text while the window is full, bounds the buffer (mustWait), and sends it on the next credit', () => {
    const { p, sent, at, token } = pacer({ window: 1, maxBuffered: 3 });
    token('a');
    at(10);
    token('b');
    token('c');
    expect(p.mustWait).toBe(false);
    token('d');
    expect(p.mustWait).toBe(true);
    at(20);
    expect(sent).toHaveLength(1);
    p.credit(1);
    expect(sent.map((s) => s.text)).toEqual(['a', 'bcd']);
    expect(p.mustWait).toBe(false);
  });

  it('a full buffer leaves at once when the window allows, without waiting out the interval', () => {
    const { sent, token } = pacer({ coalesceMs: 1_000, maxBuffered: 3 });
    token('a');
    token('b');
    token('c');
    expect(sent).toHaveLength(1);
    token('d');
    expect(sent.map((s) => s.text)).toEqual(['a', 'bcd']);
  });

  it('sends nothing after close, and a pending timer does not fire', () => {
    const { p, sent, token } = pacer();
    token('a');
    token('b');
    p.close();
    jest.advanceTimersByTime(100);
    p.finish('c');
    expect(sent.map((s) => s.text)).toEqual(['a']);
    expect(p.mustWait).toBe(false);
  });
});
