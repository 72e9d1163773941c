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
  /** Chunks are handed to the sink one after another, in order. */
  chain: Promise<void>;
}

/**
 * Owns the worker thread that runs llama.cpp (node-llama-cpp, CPU only), so decoding never competes with the
 * HTTP event loop. Started on first use; a crashed thread fails what it was running and is replaced on the
 * next request. Flow control is by credit: each chunk the sink accepted returns one credit to the worker.
 */
export class LlamaHost {
  private worker?: Worker;
  private ready?: Promise<void>;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private closed = false;

  constructor(private readonly opts: LlamaWorkerData) {}

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

  async close(): Promise<void> {
    this.closed = true;
    const w = this.worker;
    this.worker = undefined;
    this.failAll(new ProviderError('LLM.UNAVAILABLE', 'the local model runtime is shutting down'));
    await w?.terminate();
  }

  private async request(id: number, msg: ToLlama, sink?: GenerationSink): Promise<FromLlama> {
    if (this.closed) throw new ProviderError('LLM.UNAVAILABLE', 'the local model runtime is shutting down');
    await this.start();
    return new Promise<FromLlama>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, sink, chain: Promise.resolve() });
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
    if (m.type === 'ready') return;
    const p = this.pending.get(m.id);
    if (!p) return;
    switch (m.type) {
      case 'started':
        p.sink?.started({ promptTokens: m.promptTokens, contextSize: m.contextSize });
        return;
      case 'chunk':
        p.chain = p.chain.then(async () => {
          await p.sink?.chunk(m.text);
          this.post({ type: 'credit', id: m.id, n: 1 });
        });
        return;
      case 'failed':
        this.pending.delete(m.id);
        void p.chain.then(() => p.reject(new ProviderError(m.code, m.message)));
        return;
      default:
        this.pending.delete(m.id);
        void p.chain.then(() => p.resolve(m), p.reject);
    }
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
