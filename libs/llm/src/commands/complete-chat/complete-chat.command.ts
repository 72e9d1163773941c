import type { CommandMeta } from '@cave/kernel';
import type { ChatRequest } from '../../domain/chat-request';

/** Where the answer goes while it is generated (the HTTP edge: SSE or a buffer; realtime as well). */
export interface ChatSink {
  /** Called once before the first chunk (or at the end when there is no text), with the answering provider. */
  start(info: { chatId: string; created: number; provider: string }): void;
  /** Resolves when the client can take more. */
  chunk(text: string): Promise<void> | void;
}

export interface ChatResult {
  chatId: string;
  created: number;
  model: string;
  provider: string;
  text: string;
  promptTokens: number;
  completionTokens: number;
  finishReason: 'stop' | 'length' | 'cancelled' | 'error';
  error?: string;
}

export class CompleteChatCommand {
  constructor(
    readonly request: ChatRequest,
    readonly meta: CommandMeta,
    readonly sink: ChatSink,
    /** Aborted when the client goes away. */
    readonly signal: AbortSignal,
    /** `performance.now()` when the edge received the request (first-token latency is measured from it). */
    readonly receivedAt: number,
    /** A channel opened with `OpenChannelCommand`: tokens also go to its realtime subscribers. */
    readonly channelId?: string,
  ) {}
}
