import type { CommandStream, RecordedEvent } from '@cave/event-store';
import { LLM_EVENT_TYPES, LlmEvent } from '../contracts/llm.events';
import { usageDecider, UsageCommand, UsageState } from '../domain/usage.decider';

const stream = (streamType: string): CommandStream<UsageCommand, UsageState, LlmEvent> => ({
  decider: usageDecider,
  streamType,
  toEvent(e: RecordedEvent): LlmEvent {
    if (!(LLM_EVENT_TYPES as readonly string[]).includes(e.type)) throw new Error(`not an llm event: ${e.type}`);
    return { type: e.type, data: e.data } as LlmEvent;
  },
});

export const chatStream = stream('llm_chat');
export const embedStream = stream('llm_embed');
