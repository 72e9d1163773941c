export { LlmModule } from './llm.module';
export * from './contracts/llm.events';
