import { parentPort, workerData } from 'node:worker_threads';
import type { FromLlama, GenerateParams, LlamaWorkerData, ToLlama } from './llama-protocol';
import { TextStream } from './text-stream';

// node-llama-cpp is ESM-only with top-level await: `require()` fails and TypeScript's CommonJS output turns a
// plain `import()` into `require()`. A real dynamic import keeps it an ES module load (this thread only).
const importEsm = new Function('s', 'return import(s)') as (s: string) => Promise<typeof import('node-llama-cpp')>;

type Lib = typeof import('node-llama-cpp');
type Llama = Awaited<ReturnType<Lib['getLlama']>>;
type Model = Awaited<ReturnType<Llama['loadModel']>>;
type Context = Awaited<ReturnType<Model['createContext']>>;
type EmbeddingContext = Awaited<ReturnType<Model['createEmbeddingContext']>>;
type Sequence = ReturnType<Context['getSequence']>;
/** A context holds one sequence for its whole life (sequences are a context's fixed slots). */
interface Slot {
  ctx: Context;
  seq: Sequence;
}

interface Loaded {
  model: Model;
  idle: Slot[];
  active: number;
  waiting: (() => void)[];
  embedding?: Promise<EmbeddingContext>;
}

interface Running {
  abort: AbortController;
  sent: number;
  credit: number;
  wake?: () => void;
}

const opts = workerData as LlamaWorkerData;
const port = parentPort!;
let llama: Promise<Llama> | undefined;
const models = new Map<string, Promise<Loaded>>();
const running = new Map<number, Running>();

const send = (m: FromLlama) => port.postMessage(m);

function getLlama(): Promise<Llama> {
  llama ??= importEsm('node-llama-cpp').then((lib) => lib.getLlama({ gpu: false, build: 'never', logLevel: lib.LlamaLogLevel.error, progressLogs: false }));
  return llama;
}

function load(path: string): Promise<Loaded> {
  let m = models.get(path);
  if (!m) {
    m = getLlama()
      .then((l) => l.loadModel({ modelPath: path }))
      .then((model) => ({ model, idle: [], active: 0, waiting: [] }));
    // A file that failed to load may be fixed by the operator: the next request tries again.
    m.catch(() => models.delete(path));
    models.set(path, m);
  }
  return m;
}

function contextSize(m: Model): number {
  return Math.min(opts.contextSize, m.trainContextSize);
}

async function acquire(l: Loaded): Promise<Slot> {
  while (l.active >= opts.parallel) await new Promise<void>((r) => l.waiting.push(r));
  l.active++;
  try {
    const idle = l.idle.pop();
    if (idle) return idle;
    const ctx = await l.model.createContext({ contextSize: contextSize(l.model), threads: opts.threads, sequences: 1 });
    return { ctx, seq: ctx.getSequence() };
  } catch (e) {
    release(l);
    throw e;
  }
}

function release(l: Loaded, slot?: Slot): void {
  if (slot) l.idle.push(slot);
  l.active--;
  l.waiting.shift()?.();
}

async function generate(id: number, p: GenerateParams): Promise<void> {
  const run: Running = { abort: new AbortController(), sent: 0, credit: opts.window };
  running.set(id, run);
  const l = await load(p.modelPath);
  const slot = await acquire(l);
  try {
    if (run.abort.signal.aborted) {
      send({ type: 'done', id, completionTokens: 0, finishReason: 'cancelled' });
      return;
    }
    const seq = slot.seq;
    await seq.clearHistory();
    const bos = l.model.tokens.bos;
    const prompt = [...(bos !== null && l.model.tokens.shouldPrependBosToken ? [bos] : []), ...l.model.tokenize(p.prompt, false, 'trimLeadingSpace')];
    const window = Math.min(contextSize(l.model), p.contextTokens);
    if (prompt.length >= window) throw Object.assign(new Error(`the prompt (${prompt.length} tokens) does not fit the context of ${window} tokens`), { code: 'LLM.CONTEXT_TOO_LONG', promptTokens: prompt.length, contextSize: window });
    send({ type: 'started', id, promptTokens: prompt.length, contextSize: window });
    type Tokens = Parameters<Model['detokenize']>[0];
    const text = new TextStream((t, last) => l.model.detokenize(t as Tokens, false, last as Tokens), p.stop);
    const eos = l.model.tokens.eos;
    let count = 0;
    let reason: 'stop' | 'length' | 'cancelled' = 'length';
    const room = window - prompt.length;
    const limit = Math.min(p.maxTokens, room);
    if (limit > 0) {
      for await (const token of seq.evaluate(prompt, { temperature: p.temperature, topP: p.topP, seed: p.seed })) {
        if (run.abort.signal.aborted) {
          reason = 'cancelled';
          break;
        }
        if (token === eos || l.model.isEogToken(token)) {
          reason = 'stop';
          break;
        }
        count++;
        const delta = text.push(token);
        if (delta) await emit(id, run, delta, count);
        if (text.stopped) {
          reason = 'stop';
          break;
        }
        if (count >= limit) break;
        if (run.abort.signal.aborted) {
          reason = 'cancelled';
          break;
        }
      }
    }
    const rest = reason === 'cancelled' ? '' : text.end();
    if (rest) await emit(id, run, rest, count);
    send({ type: 'done', id, completionTokens: count, finishReason: reason });
  } finally {
    release(l, slot);
  }
}

/** Waits for credit: the daemon grants one per chunk it wrote to its client, so a slow reader pauses decoding. */
async function emit(id: number, run: Running, text: string, tokens: number): Promise<void> {
  while (run.credit <= 0 && !run.abort.signal.aborted) await new Promise<void>((r) => (run.wake = r));
  if (run.abort.signal.aborted) return;
  run.credit--;
  run.sent++;
  send({ type: 'chunk', id, text, tokens });
}

async function embed(id: number, path: string, inputs: string[]): Promise<void> {
  const l = await load(path);
  l.embedding ??= l.model.createEmbeddingContext({ contextSize: contextSize(l.model), threads: opts.threads });
  const ctx = await l.embedding;
  const vectors: number[][] = [];
  let tokens = 0;
  for (const input of inputs) {
    tokens += l.model.tokenize(input).length;
    vectors.push([...(await ctx.getEmbeddingFor(input)).vector]);
  }
  send({ type: 'embedded', id, vectors, tokens });
}

async function count(id: number, path: string, text: string): Promise<void> {
  const l = await load(path);
  send({ type: 'counted', id, tokens: l.model.tokenize(text).length + 1, contextSize: contextSize(l.model) });
}

function fail(id: number, e: unknown): void {
  running.delete(id);
  const err = e as { code?: unknown; message?: string };
  const code = typeof err?.code === 'string' && err.code.startsWith('LLM.') ? err.code : 'LLM.LOCAL_FAILED';
  send({ type: 'failed', id, code, message: String(err?.message ?? e).slice(0, 500) });
}

port.on('message', (m: ToLlama) => {
  switch (m.type) {
    case 'generate':
      generate(m.id, m.params).then(() => running.delete(m.id), (e) => fail(m.id, e));
      return;
    case 'credit': {
      const r = running.get(m.id);
      if (!r) return;
      r.credit += m.n;
      r.wake?.();
      r.wake = undefined;
      return;
    }
    case 'abort': {
      const r = running.get(m.id);
      r?.abort.abort();
      r?.wake?.();
      return;
    }
    case 'embed':
      embed(m.id, m.modelPath, m.inputs).catch((e) => fail(m.id, e));
      return;
    case 'count':
      count(m.id, m.modelPath, m.text).catch((e) => fail(m.id, e));
      return;
    default: {
      const never: never = m;
      return never;
    }
  }
});
send({ type: 'ready' });
