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
  /** Chunks sent and not yet credited back by the daemon. */
  inflight: number;
  /** Text decoded while `opts.window` chunks were in flight: it leaves as one chunk with the next credit. */
  buffer: string;
  /** Tokens with text in `buffer`. */
  buffered: number;
  /** Tokens generated since the last chunk (text or not): reported with the next one. */
  unreported: number;
  wake?: () => void;
}

const opts = workerData as LlamaWorkerData;
const port = parentPort!;
let llama: Promise<Llama> | undefined;
const models = new Map<string, Promise<Loaded>>();
const running = new Map<number, Running>();

const send = (m: FromLlama) => port.postMessage(m);
const MAX_BUFFERED = 64;

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
  const run: Running = { abort: new AbortController(), inflight: 0, buffer: '', buffered: 0, unreported: 0 };
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
        run.unreported++;
        const delta = text.push(token);
        if (delta) await emit(id, run, delta);
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
    if (rest) run.buffer += rest;
    flush(id, run);
    send({ type: 'done', id, completionTokens: count, finishReason: reason });
  } finally {
    release(l, slot);
  }
}

/**
 * Sends text to the daemon, paced by credit: the daemon returns one per chunk it wrote to its client. While
 * `opts.window` chunks are in flight new text is coalesced into one pending chunk (a busy daemon gets fewer,
 * larger messages); past `MAX_BUFFERED` tokens decoding waits, so a client that stops reading stops the model.
 */
async function emit(id: number, run: Running, text: string): Promise<void> {
  run.buffer += text;
  run.buffered++;
  if (run.inflight < opts.window) return flush(id, run);
  while (run.buffered >= MAX_BUFFERED && run.inflight >= opts.window && !run.abort.signal.aborted) await new Promise<void>((r) => (run.wake = r));
}

function flush(id: number, run: Running): void {
  if (!run.buffer || run.abort.signal.aborted) return;
  run.inflight++;
  send({ type: 'chunk', id, text: run.buffer, tokens: run.unreported });
  run.buffer = '';
  run.buffered = 0;
  run.unreported = 0;
}

/** Loads the model and creates one context for it, so the first request finds both ready. */
async function warm(id: number, path: string): Promise<void> {
  const l = await load(path);
  release(l, await acquire(l));
  send({ type: 'counted', id, tokens: 0, contextSize: contextSize(l.model) });
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

/** Work in progress: a shutdown waits for it, so no native call is running when the thread ends. */
const busy = new Set<Promise<void>>();
function track(p: Promise<unknown>): void {
  const done = p.then(() => undefined);
  busy.add(done);
  void done.finally(() => busy.delete(done));
}

/**
 * Ends every generation, waits for what is running, then frees contexts, models and the backend: terminating the
 * thread while llama.cpp decodes aborts the whole process (a native exception nobody catches).
 */
async function shutdown(): Promise<void> {
  for (const r of running.values()) {
    r.abort.abort();
    r.wake?.();
  }
  await Promise.allSettled([...busy]);
  for (const m of models.values()) {
    const l = await m.catch(() => undefined);
    for (const slot of l?.idle ?? []) await slot.ctx.dispose().catch(() => undefined);
    await (await l?.embedding?.catch(() => undefined))?.dispose().catch(() => undefined);
    await l?.model.dispose().catch(() => undefined);
  }
  await (await llama?.catch(() => undefined))?.dispose().catch(() => undefined);
  send({ type: 'closed' });
}

port.on('message', (m: ToLlama) => {
  switch (m.type) {
    case 'generate':
      track(generate(m.id, m.params).then(() => running.delete(m.id), (e) => fail(m.id, e)));
      return;
    case 'credit': {
      const r = running.get(m.id);
      if (!r) return;
      r.inflight -= m.n;
      if (r.inflight < opts.window) flush(m.id, r);
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
      track(embed(m.id, m.modelPath, m.inputs).catch((e) => fail(m.id, e)));
      return;
    case 'count':
      track(count(m.id, m.modelPath, m.text).catch((e) => fail(m.id, e)));
      return;
    case 'warm':
      track(warm(m.id, m.modelPath).catch((e) => fail(m.id, e)));
      return;
    case 'shutdown':
      void shutdown();
      return;
    default: {
      const never: never = m;
      return never;
    }
  }
});
send({ type: 'ready' });
