import { TextStream } from './text-stream';

// A byte-level vocabulary: token n is the byte n (as the tiny GGUF's <0xNN> tokens), decoded as UTF-8 the way
// llama.cpp hands text back (invalid sequences become U+FFFD).
const decode = (tokens: readonly number[]) => Buffer.from(tokens as number[]).toString('utf8');
const bytes = (s: string) => [...Buffer.from(s, 'utf8')];

function run(tokens: number[], stop: string[] = []): { deltas: string[]; stream: TextStream } {
  const stream = new TextStream((t) => decode(t), stop);
  const deltas: string[] = [];
  for (const t of tokens) {
    const d = stream.push(t);
    if (d) deltas.push(d);
    if (stream.stopped) break;
  }
  const rest = stream.end();
  if (rest) deltas.push(rest);
  return { deltas, stream };
}

describe('TextStream', () => {
  it('never splits a multi-byte character across deltas, and the deltas add up to the whole text', () => {
    const text = 'grüße 😀 ok';
    const { deltas } = run(bytes(text));
    expect(deltas.join('')).toBe(text);
    expect(deltas.some((d) => d.includes('\uFFFD'))).toBe(false);
  });

  it('keeps invalid bytes as the whole decode does', () => {
    const tokens = [0x61, 0xe2, 0x82, 0x62, 0x80, 0x63];
    expect(run(tokens).deltas.join('')).toBe(decode(tokens));
  });

  it('holds back a possible stop sequence and cuts the text before it', () => {
    const { deltas, stream } = run(bytes('hello END world'), ['END']);
    expect(stream.stopped).toBe(true);
    expect(deltas.join('')).toBe('hello ');
    expect(deltas.some((d) => d.includes('E'))).toBe(false);
  });

  it('emits everything when no stop sequence comes', () => {
    expect(run(bytes('no stop here E'), ['END']).deltas.join('')).toBe('no stop here E');
  });
});
