export { LlmModule } from './llm.module';
export { LLM_CHAT_STREAM, LLM_EMBED_STREAM, LLM_EVENT_TYPES } from './contracts/llm.events';
export type { ChatCompletedData, EmbedCompletedData, LlmEvent, ProviderAttempt } from './contracts/llm.events';
