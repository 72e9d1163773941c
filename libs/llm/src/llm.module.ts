import { DynamicModule, Inject, Module, ModuleMetadata, OnModuleInit } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { CAVE_CONFIG, CaveConfig } from '@cave/config';
import { ProjectionRegistry } from '@cave/projections';
import { CompleteChatHandler } from './commands/complete-chat/complete-chat.handler';
import { CreateEmbeddingsHandler } from './commands/create-embeddings/create-embeddings.handler';
import { OpenChannelHandler } from './commands/open-channel/open-channel.handler';
import { UsageGuard } from './commands/usage-guard';
import { ChatController } from './http/chat.controller';
import { EmbeddingsController } from './http/embeddings.controller';
import { llmUsageProjection } from './projections/llm-usage.projection';
import { LlmUsageReadModel } from './projections/llm-usage.read-model';
import { LlamaHost } from './providers/local/llama-host';
import { LlmMetrics } from './providers/local/llm.metrics';
import { ModelRouter } from './providers/model-router';

/**
 * The llm edge: `/api/v1/llm/chat` and `/embed` in the OpenAI shape over local GGUF models (node-llama-cpp in a
 * worker thread) and OpenAI-compatible upstreams, with fallback, usage events and the `llm_usage` read model.
 * Registered models come from the `ACTIVE_MODELS` port when the models context provides it.
 */
@Module({
  imports: [CqrsModule],
  controllers: [ChatController, EmbeddingsController],
  providers: [
    {
      provide: LlamaHost,
      inject: [CAVE_CONFIG, LlmMetrics],
      useFactory: (c: CaveConfig, m: LlmMetrics) =>
        new LlamaHost({ threads: c.llm.threads, contextSize: c.llm.contextSize, parallel: c.llm.parallel, window: 2, coalesceMs: c.llm.streamCoalesceMs }, (n) => m.localTokens.inc(n)),
    },
    LlmMetrics,
    ModelRouter,
    LlmUsageReadModel,
    UsageGuard,
    CompleteChatHandler,
    CreateEmbeddingsHandler,
    OpenChannelHandler,
  ],
})
export class LlmModule implements OnModuleInit {
  constructor(@Inject(ProjectionRegistry) private readonly registry: ProjectionRegistry) {}

  /** `imports`: a module exporting `ACTIVE_MODELS` (the models context), so registered models resolve too. */
  static forRoot(opts: { imports?: ModuleMetadata['imports'] } = {}): DynamicModule {
    return { module: LlmModule, imports: opts.imports ?? [] };
  }

  onModuleInit(): void {
    this.registry.register(llmUsageProjection());
  }
}
