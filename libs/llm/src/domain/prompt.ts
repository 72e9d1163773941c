import type { ChatMessage } from './chat-request';

/**
 * The text a local model completes for a conversation. One plain template for every GGUF (a model's own Jinja
 * chat template is not evaluated: a template is code from the model file). Exported so tests and the bench
 * feed node-llama-cpp exactly what the daemon does.
 */
export function renderPrompt(messages: readonly ChatMessage[]): string {
  const turns = messages.map((m) => `<|${m.role === 'developer' ? 'system' : m.role}|>\n${m.content}\n`);
  return `${turns.join('')}<|assistant|>\n`;
}
