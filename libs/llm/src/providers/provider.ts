import type { ChatMessage } from '../domain/chat-request';

export type ProviderKind = 'local' | 'openai-compatible';

export interface ChatCall {
  messages: ChatMessage[];
  /** Completion tokens at most (already bounded by the namespace's policy). */
  maxTokens: number;
  /** Prompt + completion tokens at most (the namespace's policy). */
  contextTokens: number;
  temperature: number;
  topP?: number;
  seed?: number;
  stop: string[];
}

export interface ProviderSink {
  /** Generation began (the prompt fit): called once, before the first chunk. */
  started(info: { promptTokens?: number }): void;
  /** A text delta; resolves when the consumer has room for more (backpressure). */
  chunk(text: string): Promise<void> | void;
}

export interface ChatOutcome {
  /** Undefined when an upstream server did not report it. */
  promptTokens?: number;
  completionTokens: number;
  finishReason: 'stop' | 'length' | 'cancelled';
}

export interface EmbedOutcome {
  vectors: number[][];
  promptTokens: number;
}

/**
 * One way to run a model. Providers throw `ProviderError` (or any error) on failure; the router decides whether
 * to try the next one. They honour `signal` (client gone, fallback timeout) as soon as they can.
 */
export interface LlmProvider {
  /** Recorded in events as the provider that answered: never carries a secret. */
  readonly label: string;
  readonly kind: ProviderKind;
  chat(call: ChatCall, sink: ProviderSink, signal: AbortSignal): Promise<ChatOutcome>;
  embed(inputs: string[], signal: AbortSignal): Promise<EmbedOutcome>;
}
