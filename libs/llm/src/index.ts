export { LlmModule } from './llm.module';
export { LLM_CHAT_STREAM, LLM_EMBED_STREAM, LLM_EVENT_TYPES, LLM_USAGE_EVENT_TYPES } from './contracts/llm.events';
export type { ChatChannelOpenedData, ChatCompletedData, EmbedCompletedData, LlmDoneMessage, LlmEvent, LlmTokenMessage, ProviderAttempt } from './contracts/llm.events';
