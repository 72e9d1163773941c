import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { CAVE_CONFIG, CaveConfig } from '@cave/config';
import { CommandRunner } from '@cave/event-store';
import type { EmbedCompletedData } from '../../contracts/llm.events';
import { embedWithFallback } from '../../providers/fallback';
import { ModelRouter } from '../../providers/model-router';
import { sha256Hex, storable } from '../text-hash';
import { UsageGuard } from '../usage-guard';
import { embedStream } from '../usage.stream';
import { CreateEmbeddingsCommand, EmbedResult } from './create-embeddings.command';

/** Embeddings: policy, route (404), quota (429), providers with fallback, then `embed_completed`. */
@CommandHandler(CreateEmbeddingsCommand)
export class CreateEmbeddingsHandler implements ICommandHandler<CreateEmbeddingsCommand, EmbedResult> {
  constructor(
    @Inject(CAVE_CONFIG) private readonly config: CaveConfig,
    private readonly router: ModelRouter,
    private readonly guard: UsageGuard,
    private readonly runner: CommandRunner,
  ) {}

  async execute({ request, meta, signal, receivedAt }: CreateEmbeddingsCommand): Promise<EmbedResult> {
    const policy = this.guard.policy(meta.namespace);
    const route = await this.router.resolve(meta.namespace, request.model);
    await this.guard.assertQuota(meta.namespace, policy);
    const { provider, outcome, fallbacks } = await embedWithFallback(route.providers, request.inputs, signal, this.config.llm.firstTokenTimeoutMs);
    const embedId = randomUUID();
    const inputJson = JSON.stringify(request.inputs);
    const data: EmbedCompletedData = {
      embedId,
      model: route.model,
      provider: provider.label,
      providerKind: provider.kind,
      fallbacks,
      inputs: request.inputs.length,
      promptTokens: outcome.promptTokens,
      dimensions: outcome.vectors[0]?.length ?? 0,
      durationMs: Math.round((performance.now() - receivedAt) * 1000) / 1000,
      inputSha256: sha256Hex(inputJson),
      ...(policy.storeText && { input: request.inputs.map(storable) }),
    };
    await this.runner.run(embedStream, { streamId: `llm_embed-${embedId}`, newStream: true, meta, command: { type: 'record', event: { type: 'embed_completed', data } } });
    return { embedId, model: route.model, provider: provider.label, vectors: outcome.vectors, promptTokens: outcome.promptTokens };
  }
}
