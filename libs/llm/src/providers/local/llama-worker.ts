import { parentPort, workerData } from 'node:worker_threads';
import type { FromLlama, GenerateParams, LlamaWorkerData, ToLlama } from './llama-protocol';
import { ChunkPacer } from './chunk-pacer';
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

/**
 * An idle slot and the clearing of what its last generation left in the sequence. The clearing starts when a
 * generation ends, off the next request's path; the next user waits for it, so no request sees another's tokens.
 */
interface IdleSlot {
  slot: Slot;
  /** False when clearing failed: the context is then disposed and replaced, never reused. */
  cleared: Promise<boolean>;
}

interface Loaded {
  model: Model;
  idle: IdleSlot[];
  active: number;
  waiting: (() => void)[];
  embedding?: Promise<EmbeddingContext>;
}

interface Running {
  abort: AbortController;
  pacer: ChunkPacer;
  /** Resolves the decoder's wait for a credit (or an abort). */
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
    if (idle) {
      if (await idle.cleared) return idle.slot;
      void idle.slot.ctx.dispose().catch(() => undefined);
    }
    const ctx = await l.model.createContext({ contextSize: contextSize(l.model), threads: opts.threads, sequences: 1 });
    return { ctx, seq: ctx.getSequence() };
  } catch (e) {
    release(l);
    throw e;
  }
}

function release(l: Loaded, slot?: Slot): void {
  if (slot) l.idle.push({ slot, cleared: slot.seq.clearHistory().then(() => true, () => false) });
  l.active--;
  l.waiting.shift()?.();
}

async function generate(id: number, p: GenerateParams): Promise<void> {
  const pacer = new ChunkPacer({ window: opts.window, coalesceMs: opts.coalesceMs, maxBuffered: MAX_BUFFERED }, (text, tokens) => send({ type: 'chunk', id, text, tokens }));
  const run: Running = { abort: new AbortController(), pacer };
  running.set(id, run);
  const l = await load(p.modelPath);
  const slot = await acquire(l);
  try {
    if (run.abort.signal.aborted) {
      send({ type: 'done', id, completionTokens: 0, finishReason: 'cancelled' });
      return;
    }
    const seq = slot.seq;
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
        pacer.token();
        const delta = text.push(token);
        if (delta) await emit(run, delta);
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
    if (reason === 'cancelled' || run.abort.signal.aborted) pacer.close();
    else pacer.finish(text.end());
    send({ type: 'done', id, completionTokens: count, finishReason: reason });
  } finally {
    pacer.close();
    release(l, slot);
  }
}

/** Hands text to the pacer; waits while the window is full and the buffer at its bound (a client not reading). */
async function emit(run: Running, text: string): Promise<void> {
  run.pacer.push(text);
  while (run.pacer.mustWait && !run.abort.signal.aborted) await new Promise<void>((r) => (run.wake = r));
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
    r.pacer.close();
    r.wake?.();
  }
  await Promise.allSettled([...busy]);
  for (const m of models.values()) {
    const l = await m.catch(() => undefined);
    for (const { slot, cleared } of l?.idle ?? []) {
      await cleared;
      await slot.ctx.dispose().catch(() => undefined);
    }
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
      r.pacer.credit(m.n);
      r.wake?.();
      r.wake = undefined;
      return;
    }
    case 'abort': {
      const r = running.get(m.id);
      r?.abort.abort();
      r?.pacer.close();
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
