/** Messages between the daemon thread and the llama worker thread (structured clone). */

export interface GenerateParams {
  modelPath: string;
  prompt: string;
  maxTokens: number;
  /** Prompt + completion bound of the caller's policy; the context actually used is the smaller of this and the model's. */
  contextTokens: number;
  temperature: number;
  topP?: number;
  seed?: number;
  stop: string[];
}

export type ToLlama =
  | { type: 'generate'; id: number; params: GenerateParams }
  /** The daemon consumed `n` chunks: the worker may run that many further ahead. */
  | { type: 'credit'; id: number; n: number }
  | { type: 'abort'; id: number }
  | { type: 'embed'; id: number; modelPath: string; inputs: string[] }
  | { type: 'count'; id: number; modelPath: string; text: string }
  /** Load the model and create one context ahead of the first request (answered with `counted`). */
  | { type: 'warm'; id: number; modelPath: string }
  /** Abort everything, free the native state, answer `closed`; the daemon then ends the thread. */
  | { type: 'shutdown' };

export type FromLlama =
  | { type: 'ready' }
  | { type: 'closed' }
  | { type: 'started'; id: number; promptTokens: number; contextSize: number }
  /** `tokens`: generated since the previous chunk (some tokens add no text of their own, e.g. half a UTF-8 sequence). */
  | { type: 'chunk'; id: number; text: string; tokens: number }
  | { type: 'done'; id: number; completionTokens: number; finishReason: 'stop' | 'length' | 'cancelled' }
  | { type: 'embedded'; id: number; vectors: number[][]; tokens: number }
  | { type: 'counted'; id: number; tokens: number; contextSize: number }
  | { type: 'failed'; id: number; code: string; message: string };

/** What the worker needs to know at start. */
export interface LlamaWorkerData {
  threads: number;
  contextSize: number;
  /** Generations run at once per model (each holds its own context); more wait in the worker. */
  parallel: number;
  /** Chunks in flight before the worker coalesces further text into one pending chunk (bounded: see MAX_BUFFERED). */
  window: number;
  /** Least time between two chunks of one generation (ms; 0: each as soon as the window allows). Never delays the first. */
  coalesceMs: number;
}
