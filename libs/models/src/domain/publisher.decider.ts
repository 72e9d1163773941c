import { MODEL_PUBLISHER_REVOKED, MODEL_PUBLISHER_TRUSTED, ModelPublisherTrustedData, PublisherEvent } from '../contracts/models.events';
import { PublisherNotFoundError } from './models.errors';

export type PublisherCommand =
  | { type: 'trust_publisher'; data: Omit<ModelPublisherTrustedData, 'trustedAt'> & { now: Date } }
  | { type: 'revoke_publisher'; data: { publisherId: string; now: Date } };

export type PublisherState = { status: 'absent' } | { status: 'trusted' | 'revoked'; publisherId: string; label: string | null };

export const initialPublisherState: PublisherState = { status: 'absent' };

export function decidePublisher(command: PublisherCommand, state: PublisherState): PublisherEvent[] {
  switch (command.type) {
    case 'trust_publisher': {
      const { now, ...d } = command.data;
      // Trusting a trusted key again changes nothing (a retried POST); a revoked one is trusted anew.
      if (state.status === 'trusted' && state.label === d.label) return [];
      return [{ type: MODEL_PUBLISHER_TRUSTED, data: { ...d, trustedAt: now.toISOString() } }];
    }
    case 'revoke_publisher':
      if (state.status === 'absent') throw new PublisherNotFoundError(command.data.publisherId);
      if (state.status === 'revoked') return [];
      return [{ type: MODEL_PUBLISHER_REVOKED, data: { publisherId: command.data.publisherId, revokedAt: command.data.now.toISOString() } }];
    default: {
      const unknown: never = command;
      throw new Error(`unknown command ${JSON.stringify(unknown)}`);
    }
  }
}

export function evolvePublisher(state: PublisherState, event: PublisherEvent): PublisherState {
  switch (event.type) {
    case MODEL_PUBLISHER_TRUSTED:
      return { status: 'trusted', publisherId: event.data.publisherId, label: event.data.label };
    case MODEL_PUBLISHER_REVOKED:
      return state.status === 'absent' ? state : { ...state, status: 'revoked' };
    default: {
      const unknown: never = event;
      throw new Error(`unknown event ${JSON.stringify(unknown)}`);
    }
  }
}

export const publisherDecider = { initialState: initialPublisherState, decide: decidePublisher, evolve: evolvePublisher };
