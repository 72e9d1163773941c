import { Inject, Logger } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { CAVE_CONFIG, CaveConfig } from '@cave/config';
import { CommandRunner } from '@cave/event-store';
import { InvalidInputError } from '@cave/kernel';
import type { ChatCompletedData } from '../../contracts/llm.events';
import { QuotaExceededError } from '../../domain/llm.errors';
import { policyFor, secondsToUtcMidnight } from '../../domain/policy';
import { LlmUsageReadModel } from '../../projections/llm-usage.read-model';
import { chatWithFallback } from '../../providers/fallback';
import { ModelRouter } from '../../providers/model-router';
import { sha256Hex, storable } from '../text-hash';
import { chatStream } from '../usage.stream';
import { ChatResult, CompleteChatCommand } from './complete-chat.command';

/**
 * One chat completion: policy bounds, model route (404), today's quota (429) before anything runs, then the
 * providers with fallback while the sink streams, then `chat_completed` in a new `llm_chat-<id>` stream,
 * also when the client went away (what was generated counts).
 */
@CommandHandler(CompleteChatCommand)
export class CompleteChatHandler implements ICommandHandler<CompleteChatCommand, ChatResult> {
  private readonly logger = new Logger('Llm');

  constructor(
    @Inject(CAVE_CONFIG) private readonly config: CaveConfig,
    private readonly router: ModelRouter,
    private readonly usage: LlmUsageReadModel,
    private readonly runner: CommandRunner,
  ) {}

  async execute({ request, meta, sink, signal, receivedAt }: CompleteChatCommand): Promise<ChatResult> {
    const policy = policyFor(meta.namespace, this.config.llm.policy, this.config.llm.namespacePolicies);
    const maxTokens = request.maxTokens ?? policy.maxTokens;
    if (maxTokens > policy.maxTokens) {
      throw new InvalidInputError([{ field: 'max_tokens', message: `max_tokens may be at most ${policy.maxTokens} in this namespace` }]);
    }
    const route = await this.router.resolve(meta.namespace, request.model);
    if (policy.tokensPerDay > 0) {
      const now = new Date();
      const used = await this.usage.tokensOn(meta.namespace, now.toISOString().slice(0, 10));
      if (used >= policy.tokensPerDay) throw new QuotaExceededError(used, policy.tokensPerDay, secondsToUtcMidnight(now));
    }
    const chatId = randomUUID();
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
    try {
      await this.runner.run(chatStream, { streamId: `llm_chat-${chatId}`, newStream: true, meta, command: { type: 'record', event: { type: 'chat_completed', data } } });
    } catch (e) {
      // The client may already hold the answer: a failed usage record is logged, and the request still fails
      // when it has not answered yet (non-streaming), so nothing unrecorded is handed out silently.
      this.logger.error({ err: e, chatId, namespace: meta.namespace }, 'chat_completed could not be recorded');
      if (!request.stream) throw e;
    }
    return {
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
  }
}
