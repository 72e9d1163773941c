/** One provider that was tried and failed before its first token (fallback), in order. */
export interface ProviderAttempt {
  provider: string;
  error: string;
}

/** Usage of one chat completion (schema 1). Text only when the namespace opts in; hashes always. */
export interface ChatCompletedData {
  chatId: string;
  model: string;
  /** Label of the provider that answered (`local`, `openai-compatible:<host>`, or the configured label). */
  provider: string;
  providerKind: 'local' | 'openai-compatible';
  /** Providers tried before it. */
  fallbacks: ProviderAttempt[];
  promptTokens: number;
  completionTokens: number;
  finishReason: 'stop' | 'length' | 'cancelled' | 'error';
  stream: boolean;
  /** Milliseconds from the request reaching the edge to the first text (null when none came). */
  firstTokenMs: number | null;
  durationMs: number;
  /** SHA-256 (hex) of the rendered prompt messages (JSON) and of the output text. */
  promptSha256: string;
  outputSha256: string;
  prompt?: string;
  output?: string;
}

export interface EmbedCompletedData {
  embedId: string;
  model: string;
  provider: string;
  providerKind: 'local' | 'openai-compatible';
  fallbacks: ProviderAttempt[];
  inputs: number;
  promptTokens: number;
  dimensions: number;
  durationMs: number;
  inputSha256: string;
  input?: string[];
}

/** A per-request realtime channel was opened before the chat runs (schema 1); its tokens go to `stream:llm_chat-<chatId>`. */
export interface ChatChannelOpenedData {
  chatId: string;
}

export type LlmEvent =
  | { type: 'chat_channel_opened'; data: ChatChannelOpenedData }
  | { type: 'chat_completed'; data: ChatCompletedData }
  | { type: 'embed_completed'; data: EmbedCompletedData };

/** Persisted names: past tense, never renamed. */
export const LLM_EVENT_TYPES = ['chat_channel_opened', 'chat_completed', 'embed_completed'] as const;
/** The events that carry usage. */
export const LLM_USAGE_EVENT_TYPES = ['chat_completed', 'embed_completed'] as const;

/** Transient realtime messages (ADR 0015) on `stream:llm_chat-<chatId>`: at most once, never stored. */
export interface LlmTokenMessage {
  chatId: string;
  /** 0, 1, 2, ... per chat. */
  seq: number;
  delta: string;
}
export interface LlmDoneMessage {
  chatId: string;
  finishReason: 'stop' | 'length' | 'cancelled' | 'error';
  provider: string;
  promptTokens: number;
  completionTokens: number;
}
/** Stream types: one stream per chat (`llm_chat-<uuid>`) and per embeddings request (`llm_embed-<uuid>`). */
export const LLM_CHAT_STREAM = 'llm_chat';
export const LLM_EMBED_STREAM = 'llm_embed';
