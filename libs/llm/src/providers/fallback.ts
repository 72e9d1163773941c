import type { ProviderAttempt } from '../contracts/llm.events';
import { ContextTooLongError, ProviderError, ProvidersFailedError } from '../domain/llm.errors';
import type { ChatCall, ChatOutcome, EmbedOutcome, LlmProvider } from './provider';

export interface ChatAnswer {
  provider: LlmProvider;
  outcome: Omit<ChatOutcome, 'finishReason'> & { finishReason: ChatOutcome['finishReason'] | 'error' };
  fallbacks: ProviderAttempt[];
  /** Set when the answering provider failed after its first chunk (the client already has part of the text). */
  error?: string;
}

/** The answer's consumer: `started` once (at the first text, or at the end when there was none), then chunks. */
export interface AnswerSink {
  started(info: { provider: LlmProvider; promptTokens?: number }): void;
  chunk(text: string): Promise<void> | void;
}

const describe = (e: unknown): string => (e instanceof ProviderError ? `${e.code}: ${e.message}` : String((e as Error)?.message ?? e)).slice(0, 300);

/**
 * Tries the providers in order. A provider that fails, or sends no text within `firstTokenMs`, is abandoned
 * (aborted) and the next one gets the request; once one sent text it owns the answer, and a later failure ends
 * the answer with finish reason `error`. A prompt that does not fit is the caller's mistake: no fallback.
 */
export async function chatWithFallback(
  providers: readonly LlmProvider[],
  call: ChatCall,
  sink: AnswerSink,
  signal: AbortSignal,
  firstTokenMs: number,
): Promise<ChatAnswer> {
  const fallbacks: ProviderAttempt[] = [];
  for (const provider of providers) {
    if (signal.aborted) break;
    const attempt = new AbortController();
    const forward = () => attempt.abort();
    signal.addEventListener('abort', forward, { once: true });
    let committed = false;
    let chunks = 0;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      attempt.abort();
    }, firstTokenMs);
    let promptTokens: number | undefined;
    try {
      const outcome = await provider.chat(
        call,
        {
          started: (i) => {
            promptTokens = i.promptTokens;
          },
          chunk: (text) => {
            if (!committed) {
              committed = true;
              clearTimeout(timer);
              sink.started({ provider, promptTokens });
            }
            chunks++;
            return sink.chunk(text);
          },
        },
        attempt.signal,
      );
      if (timedOut && !committed) throw new ProviderError('LLM.FIRST_TOKEN_TIMEOUT', `no first token within ${firstTokenMs} ms`);
      if (!committed) sink.started({ provider, promptTokens: outcome.promptTokens });
      return { provider, outcome, fallbacks };
    } catch (e) {
      if (e instanceof ProviderError && e.code === 'LLM.CONTEXT_TOO_LONG') throw new ContextTooLongError(e.message);
      if (committed) return { provider, outcome: { promptTokens, completionTokens: chunks, finishReason: signal.aborted ? 'cancelled' : 'error' }, fallbacks, error: describe(e) };
      fallbacks.push({ provider: provider.label, error: timedOut ? `LLM.FIRST_TOKEN_TIMEOUT: no first token within ${firstTokenMs} ms` : describe(e) });
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', forward);
    }
  }
  throw new ProvidersFailedError(fallbacks);
}

/** Embeddings: the first provider that answers within the timeout. */
export async function embedWithFallback(
  providers: readonly LlmProvider[],
  inputs: string[],
  signal: AbortSignal,
  timeoutMs: number,
): Promise<{ provider: LlmProvider; outcome: EmbedOutcome; fallbacks: ProviderAttempt[] }> {
  const fallbacks: ProviderAttempt[] = [];
  for (const provider of providers) {
    if (signal.aborted) break;
    const attempt = AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]);
    try {
      return { provider, outcome: await provider.embed(inputs, attempt), fallbacks };
    } catch (e) {
      fallbacks.push({ provider: provider.label, error: describe(e) });
    }
  }
  throw new ProvidersFailedError(fallbacks);
}
