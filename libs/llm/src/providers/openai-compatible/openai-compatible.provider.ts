import { ProviderError } from '../../domain/llm.errors';
import type { ChatCall, ChatOutcome, EmbedOutcome, LlmProvider, ProviderSink } from '../provider';
import { readServerSentEvents } from './sse-reader';

export interface OpenAiCompatibleOptions {
  /** e.g. `http://127.0.0.1:8080/v1` (llama-server), `http://127.0.0.1:11434/v1` (Ollama), a vLLM server. */
  baseUrl: string;
  /** The model name the upstream server knows. */
  model: string;
  apiKey?: string;
  label?: string;
}

/** A label without credentials or path: what events and errors may show. */
export function upstreamLabel(baseUrl: string): string {
  const u = new URL(baseUrl);
  return `openai-compatible:${u.host}`;
}

/** An upstream server speaking the OpenAI chat-completions and embeddings API (always streamed upstream). */
export class OpenAiCompatibleProvider implements LlmProvider {
  readonly kind = 'openai-compatible' as const;
  readonly label: string;
  private readonly base: string;

  constructor(private readonly opts: OpenAiCompatibleOptions) {
    this.base = opts.baseUrl.replace(/\/+$/, '');
    this.label = opts.label ?? upstreamLabel(opts.baseUrl);
  }

  async chat(call: ChatCall, sink: ProviderSink, signal: AbortSignal): Promise<ChatOutcome> {
    const res = await this.post('/chat/completions', {
      model: this.opts.model,
      messages: call.messages,
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: call.maxTokens,
      temperature: call.temperature,
      ...(call.topP !== undefined && { top_p: call.topP }),
      ...(call.seed !== undefined && { seed: call.seed }),
      ...(call.stop.length > 0 && { stop: call.stop }),
    }, signal);
    let started = false;
    let chunks = 0;
    let finishReason: ChatOutcome['finishReason'] = 'stop';
    let usage: { prompt_tokens?: number; completion_tokens?: number } | undefined;
    for await (const data of readServerSentEvents(res.body!, signal)) {
      if (data === '[DONE]') break;
      let msg: { choices?: { delta?: { content?: string | null }; finish_reason?: string | null }[]; usage?: typeof usage; error?: { message?: string } };
      try {
        msg = JSON.parse(data);
      } catch {
        throw new ProviderError('LLM.UPSTREAM_FAILED', 'the upstream server sent a malformed stream event');
      }
      if (msg.error) throw new ProviderError('LLM.UPSTREAM_FAILED', `the upstream server failed: ${String(msg.error.message ?? '').slice(0, 200)}`);
      if (msg.usage) usage = msg.usage;
      const choice = msg.choices?.[0];
      if (choice?.finish_reason) finishReason = choice.finish_reason === 'length' ? 'length' : 'stop';
      const text = choice?.delta?.content;
      if (typeof text === 'string' && text.length > 0) {
        if (!started) {
          started = true;
          sink.started({});
        }
        chunks++;
        await sink.chunk(text);
      }
    }
    if (signal.aborted) finishReason = 'cancelled';
    if (!started) sink.started({});
    return { promptTokens: usage?.prompt_tokens, completionTokens: usage?.completion_tokens ?? chunks, finishReason };
  }

  async embed(inputs: string[], signal: AbortSignal): Promise<EmbedOutcome> {
    const res = await this.post('/embeddings', { model: this.opts.model, input: inputs }, signal);
    const body = (await res.json()) as { data?: { index: number; embedding: number[] }[]; usage?: { prompt_tokens?: number } };
    if (!Array.isArray(body.data) || body.data.length !== inputs.length) throw new ProviderError('LLM.UPSTREAM_FAILED', 'the upstream server answered embeddings of another shape');
    const vectors = [...body.data].sort((a, b) => a.index - b.index).map((d) => d.embedding);
    return { vectors, promptTokens: body.usage?.prompt_tokens ?? 0 };
  }

  private async post(path: string, body: unknown, signal: AbortSignal): Promise<Response> {
    let res: Response;
    try {
      res = await fetch(`${this.base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...(this.opts.apiKey && { authorization: `Bearer ${this.opts.apiKey}` }) },
        body: JSON.stringify(body),
        signal,
      });
    } catch (e) {
      throw new ProviderError('LLM.UPSTREAM_FAILED', `the upstream server could not be reached: ${(e as Error).name}`);
    }
    if (!res.ok || !res.body) {
      await res.body?.cancel().catch(() => undefined);
      throw new ProviderError('LLM.UPSTREAM_FAILED', `the upstream server answered HTTP ${res.status}`);
    }
    return res;
  }
}
