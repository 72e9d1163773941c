import type { Decider } from '@cave/kernel';
import type { LlmEvent } from '../contracts/llm.events';
import { ChannelUsedError } from './llm.errors';

export type UsageCommand = { type: 'open'; chatId: string } | { type: 'record'; event: Extract<LlmEvent, { type: 'chat_completed' | 'embed_completed' }> };
export interface UsageState {
  opened: boolean;
  recorded: boolean;
}

/**
 * A chat or embeddings stream: optionally opened first (a realtime channel the client subscribes to before the
 * chat runs), then its usage recorded exactly once.
 */
export const usageDecider: Decider<UsageCommand, UsageState, LlmEvent> = {
  initialState: { opened: false, recorded: false },
  decide(command, state) {
    switch (command.type) {
      case 'open':
        if (state.opened || state.recorded) throw new ChannelUsedError();
        return [{ type: 'chat_channel_opened', data: { chatId: command.chatId } }];
      case 'record':
        if (state.recorded) throw new ChannelUsedError();
        return [command.event];
      default: {
        const never: never = command;
        return never;
      }
    }
  },
  evolve(state, event) {
    switch (event.type) {
      case 'chat_channel_opened':
        return { ...state, opened: true };
      case 'chat_completed':
      case 'embed_completed':
        return { ...state, recorded: true };
      default: {
        const never: never = event;
        return never;
      }
    }
  },
};
