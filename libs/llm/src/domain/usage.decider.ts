import type { Decider } from '@cave/kernel';
import type { LlmEvent } from '../contracts/llm.events';
import { UsageAlreadyRecordedError } from './llm.errors';

export type UsageCommand = { type: 'record'; event: LlmEvent };
export interface UsageState {
  recorded: boolean;
}

/** A chat or embeddings stream records its usage exactly once. */
export const usageDecider: Decider<UsageCommand, UsageState, LlmEvent> = {
  initialState: { recorded: false },
  decide(command, state) {
    switch (command.type) {
      case 'record':
        if (state.recorded) throw new UsageAlreadyRecordedError();
        return [command.event];
      default: {
        const never: never = command.type;
        return never;
      }
    }
  },
  evolve(state, event) {
    switch (event.type) {
      case 'chat_completed':
      case 'embed_completed':
        return { recorded: true };
      default: {
        const never: never = event;
        return never;
      }
    }
  },
};
