import { Inject, Module, OnModuleInit } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { CAVE_CONFIG, CaveConfig } from '@cave/config';
import { ProjectionRegistry } from '@cave/projections';
import { CompleteChatHandler } from './commands/complete-chat/complete-chat.handler';
import { ChatController } from './http/chat.controller';
import { llmUsageProjection } from './projections/llm-usage.projection';
import { LlmUsageReadModel } from './projections/llm-usage.read-model';
import { LlamaHost } from './providers/local/llama-host';
import { ModelRouter } from './providers/model-router';

/**
 * The llm edge: `/api/v1/llm/chat` and `/embed` in the OpenAI shape over local GGUF models (node-llama-cpp in a
 * worker thread) and OpenAI-compatible upstreams, with fallback, usage events and the `llm_usage` read model.
 * Registered models come from the `ACTIVE_MODELS` port when the models context provides it.
 */
@Module({
  imports: [CqrsModule],
  controllers: [ChatController],
  providers: [
    {
      provide: LlamaHost,
      inject: [CAVE_CONFIG],
      useFactory: (c: CaveConfig) => new LlamaHost({ threads: c.llm.threads, contextSize: c.llm.contextSize, parallel: c.llm.parallel, window: 16 }),
    },
    ModelRouter,
    LlmUsageReadModel,
    CompleteChatHandler,
  ],
})
export class LlmModule implements OnModuleInit {
  constructor(@Inject(ProjectionRegistry) private readonly registry: ProjectionRegistry) {}

  onModuleInit(): void {
    this.registry.register(llmUsageProjection());
  }
}
