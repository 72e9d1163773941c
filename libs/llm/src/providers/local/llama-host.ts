import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { FromLlama, GenerateParams, LlamaWorkerData, ToLlama } from './llama-protocol';
import { ProviderError } from '../../domain/llm.errors';

export interface GenerationSink {
  started(info: { promptTokens: number; contextSize: number }): void;
  /** Resolves when the consumer can take more (the client's socket drained). */
  chunk(text: string): Promise<void> | void;
}

export interface GenerationResult {
  completionTokens: number;
  finishReason: 'stop' | 'length' | 'cancelled';
}

interface Pending {
  resolve: (m: FromLlama) => void;
  reject: (e: Error) => void;
  sink?: GenerationSink;
  /** Text of chunks that arrived while the sink was still taking an earlier one: handed over as one. */
  queued: string;
  /** Chunk messages in `queued`: the credits owed to the worker once the sink took it. */
  messages: number;
  writing: boolean;
  /** The request's end, held until the sink took everything before it. */
  settle?: () => void;
  error?: Error;
  /** Tokens the worker reported so far. */
  tokens: number;
}

const SHUTDOWN_MS = 5_000;

/**
 * Owns the worker thread that runs llama.cpp (node-llama-cpp, CPU only), so decoding never competes with the
 * HTTP event loop. Started on first use; a crashed thread fails what it was running and is replaced on the
 * next request. Flow control is by credit: each chunk the sink accepted returns one credit to the worker, and
 * chunks that arrive while the sink waits (a client socket that needs draining) are coalesced into one.
 */
export class LlamaHost {
  private worker?: Worker;
  private ready?: Promise<void>;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private closed = false;

  /** `onTokens`: every token the worker generated, as it reports them (before any client took them). */
  constructor(
    private readonly opts: LlamaWorkerData,
    private readonly onTokens: (n: number) => void = () => undefined,
  ) {}

  async generate(params: GenerateParams, sink: GenerationSink, signal: AbortSignal): Promise<GenerationResult> {
    const id = this.nextId++;
    const onAbort = () => this.post({ type: 'abort', id });
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      const done = await this.request(id, { type: 'generate', id, params }, sink);
      if (done.type !== 'done') throw new ProviderError('LLM.LOCAL_FAILED', 'unexpected worker answer');
      return { completionTokens: done.completionTokens, finishReason: done.finishReason };
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  async embed(modelPath: string, inputs: string[]): Promise<{ vectors: number[][]; tokens: number }> {
    const id = this.nextId++;
    const r = await this.request(id, { type: 'embed', id, modelPath, inputs });
    if (r.type !== 'embedded') throw new ProviderError('LLM.LOCAL_FAILED', 'unexpected worker answer');
    return { vectors: r.vectors, tokens: r.tokens };
  }

  /** Tokens of `text` with the model's tokenizer (BOS included) and the context it gets. */
  async count(modelPath: string, text: string): Promise<{ tokens: number; contextSize: number }> {
    const id = this.nextId++;
    const r = await this.request(id, { type: 'count', id, modelPath, text });
    if (r.type !== 'counted') throw new ProviderError('LLM.LOCAL_FAILED', 'unexpected worker answer');
    return { tokens: r.tokens, contextSize: r.contextSize };
  }

  /** Loads the model and prepares one context ahead of the first request. */
  async warm(modelPath: string): Promise<void> {
    const id = this.nextId++;
    const r = await this.request(id, { type: 'warm', id, modelPath });
    if (r.type !== 'counted') throw new ProviderError('LLM.LOCAL_FAILED', 'unexpected worker answer');
  }

  /**
   * Stops every generation and lets the thread free llama.cpp's state before it ends (terminating it mid-decode
   * aborts the process); a thread that does not answer within `SHUTDOWN_MS` is terminated anyway.
   */
  async close(): Promise<void> {
    this.closed = true;
    const w = this.worker;
    this.worker = undefined;
    this.failAll(new ProviderError('LLM.UNAVAILABLE', 'the local model runtime is shutting down'));
    if (!w) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      new Promise<void>((resolve) => {
        w.on('message', (m: FromLlama) => m.type === 'closed' && resolve());
        w.once('exit', () => resolve());
        w.postMessage({ type: 'shutdown' } satisfies ToLlama);
      }),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, SHUTDOWN_MS))),
    ]);
    clearTimeout(timer);
    await w.terminate();
  }

  private async request(id: number, msg: ToLlama, sink?: GenerationSink): Promise<FromLlama> {
    if (this.closed) throw new ProviderError('LLM.UNAVAILABLE', 'the local model runtime is shutting down');
    await this.start();
    return new Promise<FromLlama>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, sink, queued: '', messages: 0, writing: false, tokens: 0 });
      this.post(msg);
    });
  }

  private post(msg: ToLlama): void {
    this.worker?.postMessage(msg);
  }

  private start(): Promise<void> {
    if (this.ready) return this.ready;
    const w = spawn(this.opts);
    this.worker = w;
    this.ready = new Promise<void>((resolve, reject) => {
      w.once('message', (m: FromLlama) => (m.type === 'ready' ? resolve() : reject(new Error('llama worker did not start'))));
      w.once('error', reject);
    });
    w.on('message', (m: FromLlama) => this.receive(m));
    w.on('error', (e) => this.crashed(w, e));
    w.on('exit', (code) => this.crashed(w, new Error(`llama worker exited with code ${code}`)));
    this.ready.catch(() => undefined);
    return this.ready;
  }

  private receive(m: FromLlama): void {
    if (m.type === 'ready' || m.type === 'closed') return;
    const p = this.pending.get(m.id);
    if (!p) return;
    switch (m.type) {
      case 'started':
        p.sink?.started({ promptTokens: m.promptTokens, contextSize: m.contextSize });
        return;
      case 'chunk':
        p.tokens += m.tokens;
        this.onTokens(m.tokens);
        p.queued += m.text;
        p.messages++;
        if (!p.writing) void this.write(m.id, p);
        return;
      case 'failed':
        this.pending.delete(m.id);
        this.whenWritten(p, () => p.reject(new ProviderError(m.code, m.message)));
        return;
      default:
        this.pending.delete(m.id);
        if (m.type === 'done' && m.completionTokens > p.tokens) this.onTokens(m.completionTokens - p.tokens);
        this.whenWritten(p, () => (p.error ? p.reject(p.error) : p.resolve(m)));
    }
  }

  /** Hands queued text to the sink, one piece at a time, returning the credits once it took each. */
  private async write(id: number, p: Pending): Promise<void> {
    p.writing = true;
    try {
      while (p.queued && !p.error) {
        const text = p.queued;
        const n = p.messages;
        p.queued = '';
        p.messages = 0;
        await p.sink?.chunk(text);
        this.post({ type: 'credit', id, n });
      }
    } catch (e) {
      p.error = e instanceof Error ? e : new Error(String(e));
      // The consumer is gone: the worker stops at its window, and the caller's abort ends the generation.
    } finally {
      p.writing = false;
      const settle = p.settle;
      p.settle = undefined;
      settle?.();
    }
  }

  private whenWritten(p: Pending, settle: () => void): void {
    if (p.writing) p.settle = settle;
    else settle();
  }

  private crashed(w: Worker, e: Error): void {
    if (this.worker !== w) return;
    this.worker = undefined;
    this.ready = undefined;
    this.failAll(new ProviderError('LLM.LOCAL_FAILED', `local model runtime crashed: ${e.message}`));
  }

  private failAll(e: Error): void {
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      p.reject(e);
    }
  }
}

/** Compiled JavaScript in production; under ts-jest / ts-node the thread compiles its TypeScript itself. */
function spawn(data: LlamaWorkerData): Worker {
  const ext = extname(__filename);
  const file = join(__dirname, `llama-worker${ext}`);
  if (ext === '.ts') {
    const boot = `require('ts-node').register({ transpileOnly: true, compilerOptions: { module: 'commonjs' } }); require(${JSON.stringify(file)});`;
    return new Worker(boot, { eval: true, workerData: data });
  }
  return new Worker(file, { workerData: data });
}
