import { Inject, Logger, Optional } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { CAVE_CONFIG, CaveConfig } from '@cave/config';
import { CommandRunner, EventStore } from '@cave/event-store';
import { InvalidInputError } from '@cave/kernel';
import { RealtimeTransient } from '@cave/realtime';
import type { ChatCompletedData, LlmDoneMessage, LlmTokenMessage } from '../../contracts/llm.events';
import { ChannelNotFoundError, ChannelUsedError } from '../../domain/llm.errors';
import { chatWithFallback } from '../../providers/fallback';
import { ModelRouter } from '../../providers/model-router';
import { sha256Hex, storable } from '../text-hash';
import { UsageGuard } from '../usage-guard';
import { chatStream } from '../usage.stream';
import { ChatResult, CompleteChatCommand } from './complete-chat.command';

/**
 * One chat completion: policy bounds, model route (404), today's quota (429) before anything runs, then the
 * providers with fallback while the sink streams, then `chat_completed` in a new `llm_chat-<id>` stream,
 * also when the client went away (what was generated counts); the edge ends the answer after it.
 */
@CommandHandler(CompleteChatCommand)
export class CompleteChatHandler implements ICommandHandler<CompleteChatCommand, ChatResult> {
  private readonly logger = new Logger('Llm');

  constructor(
    @Inject(CAVE_CONFIG) private readonly config: CaveConfig,
    private readonly router: ModelRouter,
    private readonly guard: UsageGuard,
    private readonly runner: CommandRunner,
    private readonly store: EventStore,
    @Optional() private readonly transient?: RealtimeTransient,
  ) {}

  async execute({ request, meta, sink, signal, receivedAt, channelId }: CompleteChatCommand): Promise<ChatResult> {
    const policy = this.guard.policy(meta.namespace);
    const maxTokens = request.maxTokens ?? policy.maxTokens;
    if (maxTokens > policy.maxTokens) {
      throw new InvalidInputError([{ field: 'max_tokens', message: `max_tokens may be at most ${policy.maxTokens} in this namespace` }]);
    }
    // Independent reads, each a round trip when it needs the database (a registered model, a quota, a channel): all
    // in flight at once, awaited before any model runs, and refused in this order (404 model, 429, channel).
    const resolving = this.router.resolve(meta.namespace, request.model);
    const quota = this.guard.assertQuota(meta.namespace, policy);
    const channel = channelId ? this.assertChannelOpen(meta.namespace, channelId) : Promise.resolve();
    // A later check's refusal is only reported when the earlier ones passed; until then it must not go unhandled.
    void quota.catch(() => undefined);
    void channel.catch(() => undefined);
    const route = await resolving;
    await quota;
    await channel;
    const chatId = channelId ?? randomUUID();
    const target = { namespace: meta.namespace, streamId: `llm_chat-${chatId}` };
    let seq = 0;
    const created = Math.floor(Date.now() / 1000);
    let firstTokenMs: number | null = null;
    let text = '';
    let provider = '';
    const answer = await chatWithFallback(
      route.providers,
      { messages: request.messages, maxTokens, contextTokens: policy.contextTokens, temperature: request.temperature, topP: request.topP, seed: request.seed, stop: request.stop },
      {
        started: (i) => {
          provider = i.provider.label;
          sink.start({ chatId, created, provider });
        },
        chunk: (t) => {
          firstTokenMs ??= performance.now() - receivedAt;
          text += t;
          if (channelId) this.transient?.send(target, 'llm_token', { chatId, seq: seq++, delta: t } satisfies LlmTokenMessage);
          return sink.chunk(t);
        },
      },
      signal,
      this.config.llm.firstTokenTimeoutMs,
    );
    const outcome = answer.outcome;
    const promptJson = JSON.stringify(request.messages);
    const data: ChatCompletedData = {
      chatId,
      model: route.model,
      provider,
      providerKind: answer.provider.kind,
      fallbacks: answer.fallbacks,
      promptTokens: outcome.promptTokens ?? 0,
      completionTokens: outcome.completionTokens,
      finishReason: signal.aborted ? 'cancelled' : outcome.finishReason,
      stream: request.stream,
      firstTokenMs: firstTokenMs === null ? null : Math.round(firstTokenMs * 1000) / 1000,
      durationMs: Math.round((performance.now() - receivedAt) * 1000) / 1000,
      promptSha256: sha256Hex(promptJson),
      outputSha256: sha256Hex(text),
      ...(policy.storeText && { prompt: storable(promptJson), output: storable(text) }),
    };
    if (channelId) {
      const done: LlmDoneMessage = { chatId, finishReason: data.finishReason, provider, promptTokens: data.promptTokens, completionTokens: data.completionTokens };
      this.transient?.send(target, 'llm_done', { ...done });
      await this.transient?.flush();
    }
    const result: ChatResult = {
      chatId,
      created,
      model: route.model,
      provider,
      text,
      promptTokens: data.promptTokens,
      completionTokens: data.completionTokens,
      finishReason: data.finishReason,
      ...(answer.error && { error: answer.error }),
    };
    // The answer ends only once its usage is durable: a whole answer is sent after this, a stream's last events
    // and `[DONE]` too. A failed record fails the request (a stream that already carried text ends with an error
    // event instead of `[DONE]`), so nothing unrecorded is handed out as complete.
    try {
      await this.runner.run(chatStream, { streamId: target.streamId, newStream: !channelId, meta, command: { type: 'record', event: { type: 'chat_completed', data } } });
    } catch (e) {
      this.logger.error({ err: e, chatId, namespace: meta.namespace }, 'chat_completed could not be recorded');
      throw e;
    }
    return result;
  }

  /** Under RLS: another namespace's channel is indistinguishable from a missing one. */
  private async assertChannelOpen(namespace: string, chatId: string): Promise<void> {
    const events = await this.store.readStream(`llm_chat-${chatId}`, { namespace });
    if (events.length === 0) throw new ChannelNotFoundError();
    if (events.some((e) => e.type === 'chat_completed')) throw new ChannelUsedError();
  }
}
