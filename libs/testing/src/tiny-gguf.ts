import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A tiny llama-architecture GGUF v3 model written from scratch, so tests run real llama.cpp inference without a
 * download: byte-level SentencePiece vocabulary (`<unk> <s> </s>`, the 256 byte tokens, `▁` and `▁a`..`▁z`), two
 * blocks of width 64, F32 weights from a seeded PRNG. The same seed gives the same bytes (and the same greedy
 * output); about 0.5 MB. Format facts: ../shared/FACTS.md "Local LLM".
 */
export interface TinyGgufOptions {
  /** PRNG seed of the weights (default 1). */
  seed?: number;
  /** `llama.context_length` (default 512). */
  contextLength?: number;
  /** `general.name` (default `cave-tiny`). */
  name?: string;
}

export const TINY_GGUF_EMBEDDING_LENGTH = 64;

const EMBD = TINY_GGUF_EMBEDDING_LENGTH;
const FF = 128;
const BLOCKS = 2;
const HEADS = 4;
const ALIGN = 32;

enum T {
  U32 = 4,
  I32 = 5,
  F32 = 6,
  STRING = 8,
  ARRAY = 9,
}

type Kv = [string, T.U32 | T.F32 | T.STRING, number | string] | [string, T.ARRAY, T.STRING | T.F32 | T.I32, (string | number)[]];

function vocabulary(): { tokens: string[]; scores: number[]; types: number[] } {
  const tokens = ['<unk>', '<s>', '</s>'];
  const types = [2, 3, 3];
  for (let b = 0; b < 256; b++) {
    tokens.push(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`);
    types.push(6);
  }
  tokens.push('\u2581');
  types.push(1);
  for (let c = 97; c <= 122; c++) {
    tokens.push(`\u2581${String.fromCharCode(c)}`);
    types.push(1);
  }
  // Longer pieces score higher so the SentencePiece merge prefers them; bytes and controls score 0.
  const scores = tokens.map((t) => (t.startsWith('\u2581') ? -1 / t.length : 0));
  return { tokens, scores, types };
}

/** mulberry32: small, seedable, the same sequence on every platform. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function tensors(vocab: number): { name: string; dims: number[]; norm: boolean }[] {
  const list = [{ name: 'token_embd.weight', dims: [EMBD, vocab], norm: false }];
  for (let i = 0; i < BLOCKS; i++) {
    const b = `blk.${i}`;
    list.push(
      { name: `${b}.attn_norm.weight`, dims: [EMBD], norm: true },
      { name: `${b}.attn_q.weight`, dims: [EMBD, EMBD], norm: false },
      { name: `${b}.attn_k.weight`, dims: [EMBD, EMBD], norm: false },
      { name: `${b}.attn_v.weight`, dims: [EMBD, EMBD], norm: false },
      { name: `${b}.attn_output.weight`, dims: [EMBD, EMBD], norm: false },
      { name: `${b}.ffn_norm.weight`, dims: [EMBD], norm: true },
      { name: `${b}.ffn_gate.weight`, dims: [EMBD, FF], norm: false },
      { name: `${b}.ffn_up.weight`, dims: [EMBD, FF], norm: false },
      { name: `${b}.ffn_down.weight`, dims: [FF, EMBD], norm: false },
    );
  }
  list.push({ name: 'output_norm.weight', dims: [EMBD], norm: true }, { name: 'output.weight', dims: [EMBD, vocab], norm: false });
  return list;
}

class Writer {
  private readonly parts: Buffer[] = [];
  length = 0;
  push(b: Buffer): void {
    this.parts.push(b);
    this.length += b.length;
  }
  u32(n: number): void {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(n);
    this.push(b);
  }
  i32(n: number): void {
    const b = Buffer.alloc(4);
    b.writeInt32LE(n);
    this.push(b);
  }
  u64(n: number): void {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(n));
    this.push(b);
  }
  f32(n: number): void {
    const b = Buffer.alloc(4);
    b.writeFloatLE(n);
    this.push(b);
  }
  str(s: string): void {
    const b = Buffer.from(s, 'utf8');
    this.u64(b.length);
    this.push(b);
  }
  pad(): void {
    const rest = (ALIGN - (this.length % ALIGN)) % ALIGN;
    if (rest > 0) this.push(Buffer.alloc(rest));
  }
  done(): Buffer {
    return Buffer.concat(this.parts);
  }
}

/** The model file's bytes. */
export function tinyGguf(opts: TinyGgufOptions = {}): Buffer {
  const vocab = vocabulary();
  const kvs: Kv[] = [
    ['general.architecture', T.STRING, 'llama'],
    ['general.name', T.STRING, opts.name ?? 'cave-tiny'],
    ['general.alignment', T.U32, ALIGN],
    ['llama.context_length', T.U32, opts.contextLength ?? 512],
    ['llama.embedding_length', T.U32, EMBD],
    ['llama.block_count', T.U32, BLOCKS],
    ['llama.feed_forward_length', T.U32, FF],
    ['llama.attention.head_count', T.U32, HEADS],
    ['llama.attention.head_count_kv', T.U32, HEADS],
    ['llama.rope.dimension_count', T.U32, EMBD / HEADS],
    ['llama.attention.layer_norm_rms_epsilon', T.F32, 1e-5],
    ['tokenizer.ggml.model', T.STRING, 'llama'],
    ['tokenizer.ggml.tokens', T.ARRAY, T.STRING, vocab.tokens],
    ['tokenizer.ggml.scores', T.ARRAY, T.F32, vocab.scores],
    ['tokenizer.ggml.token_type', T.ARRAY, T.I32, vocab.types],
    ['tokenizer.ggml.bos_token_id', T.U32, 1],
    ['tokenizer.ggml.eos_token_id', T.U32, 2],
    ['tokenizer.ggml.unknown_token_id', T.U32, 0],
  ];
  const list = tensors(vocab.tokens.length);
  const w = new Writer();
  w.push(Buffer.from('GGUF', 'ascii'));
  w.u32(3);
  w.u64(list.length);
  w.u64(kvs.length);
  for (const kv of kvs) {
    w.str(kv[0]);
    w.u32(kv[1]);
    if (kv[1] === T.ARRAY) {
      const [, , type, values] = kv;
      w.u32(type);
      w.u64(values.length);
      for (const v of values) {
        if (type === T.STRING) w.str(v as string);
        else if (type === T.F32) w.f32(v as number);
        else w.i32(v as number);
      }
    } else if (kv[1] === T.STRING) w.str(kv[2] as string);
    else if (kv[1] === T.F32) w.f32(kv[2] as number);
    else w.u32(kv[2] as number);
  }
  let offset = 0;
  const sizes = list.map((t) => t.dims.reduce((a, b) => a * b, 1) * 4);
  list.forEach((t, i) => {
    w.str(t.name);
    w.u32(t.dims.length);
    for (const d of t.dims) w.u64(d);
    w.u32(0); // F32
    w.u64(offset);
    offset += Math.ceil(sizes[i] / ALIGN) * ALIGN;
  });
  w.pad();
  const rand = prng(opts.seed ?? 1);
  list.forEach((t, i) => {
    const data = Buffer.alloc(Math.ceil(sizes[i] / ALIGN) * ALIGN);
    const scale = 1 / Math.sqrt(t.dims[0]);
    for (let k = 0; k < sizes[i] / 4; k++) data.writeFloatLE(t.norm ? 1 : (rand() * 2 - 1) * scale * 2, k * 4);
    // Zero logits for <unk> <s> </s> and for the bytes outside printable ASCII: a random maximum over the other
    // tokens is almost surely above 0, so greedy decoding never ends early (a completion runs to its token limit)
    // and never emits a broken UTF-8 sequence or a control character.
    if (t.name === 'output.weight') {
      for (let id = 0; id < vocab.tokens.length; id++) {
        const byte = id - 3;
        if (id < 3 || (byte >= 0 && byte < 256 && (byte < 0x20 || byte > 0x7e))) data.fill(0, id * EMBD * 4, (id + 1) * EMBD * 4);
      }
    }
    w.push(data);
  });
  return w.done();
}

/** Writes the tiny model into a fresh temporary directory and returns the file's path. */
export function writeTinyGguf(opts: TinyGgufOptions = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'cave-gguf-'));
  const file = join(dir, `${opts.name ?? 'cave-tiny'}.gguf`);
  writeFileSync(file, tinyGguf(opts));
  return file;
}
