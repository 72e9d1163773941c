import { ContextTooLongError, ProviderError, ProvidersFailedError } from '../domain/llm.errors';
import { chatWithFallback } from './fallback';
import type { ChatCall, LlmProvider } from './provider';

const call: ChatCall = { messages: [{ role: 'user', content: 'x' }], maxTokens: 4, contextTokens: 64, temperature: 0, stop: [] };

function provider(label: string, behave: (sink: { chunk(t: string): unknown }, signal: AbortSignal) => Promise<void>): LlmProvider {
  return {
    label,
    kind: 'openai-compatible',
    async chat(_c, sink, signal) {
      await behave(sink, signal);
      return { completionTokens: 1, finishReason: signal.aborted ? 'cancelled' : 'stop' };
    },
    embed: async () => ({ vectors: [], promptTokens: 0 }),
  };
}

const fails = provider('fails', async () => {
  throw new ProviderError('LLM.UPSTREAM_FAILED', 'HTTP 500');
});
const hangs = provider('hangs', (_s, signal) => new Promise<void>((r) => signal.addEventListener('abort', () => r())));
const answers = provider('answers', async (s) => {
  await s.chunk('hi');
});

async function collect(providers: LlmProvider[]) {
  const text: string[] = [];
  const started: string[] = [];
  const answer = await chatWithFallback(providers, call, { started: (i) => started.push(i.provider.label), chunk: (t) => void text.push(t) }, new AbortController().signal, 50);
  return { answer, text: text.join(''), started };
}

describe('chatWithFallback', () => {
  it('tries the next provider after a failure and after a timeout before the first token', async () => {
    const { answer, text, started } = await collect([fails, hangs, answers]);
    expect(answer.provider.label).toBe('answers');
    expect(text).toBe('hi');
    expect(started).toEqual(['answers']);
    expect(answer.fallbacks.map((f) => [f.provider, f.error.split(':')[0]])).toEqual([
      ['fails', 'LLM.UPSTREAM_FAILED'],
      ['hangs', 'LLM.FIRST_TOKEN_TIMEOUT'],
    ]);
  });

  it('keeps the provider that sent text when it fails later: the answer ends with an error, no second answer', async () => {
    const breaks = provider('breaks', async (s) => {
      await s.chunk('par');
      throw new Error('connection reset');
    });
    const { answer, text } = await collect([breaks, answers]);
    expect([answer.provider.label, answer.outcome.finishReason, text]).toEqual(['breaks', 'error', 'par']);
    expect(answer.error).toContain('connection reset');
  });

  it('fails with every attempt when nobody answers, and does not fall back for a prompt that does not fit', async () => {
    await expect(collect([fails, hangs])).rejects.toBeInstanceOf(ProvidersFailedError);
    const tooLong = provider('small', async () => {
      throw new ProviderError('LLM.CONTEXT_TOO_LONG', 'does not fit');
    });
    await expect(collect([tooLong, answers])).rejects.toBeInstanceOf(ContextTooLongError);
  });
});
