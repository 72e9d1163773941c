import {
  WEBHOOK_ENDPOINT_DELETED,
  WEBHOOK_ENDPOINT_REGISTERED,
  WebhookEndpointDeletedData,
  WebhookEndpointRegisteredData,
} from '../contracts/webhook.events';
import { EndpointNotFoundError } from './webhook.errors';

export type EndpointEvent =
  | { type: typeof WEBHOOK_ENDPOINT_REGISTERED; data: WebhookEndpointRegisteredData }
  | { type: typeof WEBHOOK_ENDPOINT_DELETED; data: WebhookEndpointDeletedData };

/** Already parsed by `endpoint.rules` (URL, event types) and checked against the address policy. */
export type EndpointCommand =
  | { type: 'register_endpoint'; data: Omit<WebhookEndpointRegisteredData, 'registeredAt'> & { now: Date } }
  | { type: 'delete_endpoint'; data: { endpointId: string; now: Date } };

export type EndpointState = { status: 'absent' } | { status: 'active' | 'deleted'; endpointId: string; namespace: string };

export const initialEndpointState: EndpointState = { status: 'absent' };

export function decideEndpoint(command: EndpointCommand, state: EndpointState): EndpointEvent[] {
  switch (command.type) {
    case 'register_endpoint': {
      const { now, ...d } = command.data;
      // Ids are fresh UUIDs; a second registration under one id can only be a bug or a guess.
      if (state.status !== 'absent') throw new EndpointNotFoundError(d.endpointId);
      return [{ type: WEBHOOK_ENDPOINT_REGISTERED, data: { ...d, registeredAt: now.toISOString() } }];
    }
    case 'delete_endpoint':
      if (state.status === 'absent') throw new EndpointNotFoundError(command.data.endpointId);
      // Deleting twice is a no-op: a retried DELETE is safe.
      if (state.status === 'deleted') return [];
      return [{ type: WEBHOOK_ENDPOINT_DELETED, data: { endpointId: command.data.endpointId, deletedAt: command.data.now.toISOString() } }];
    default: {
      const unknown: never = command;
      throw new Error(`unknown command ${JSON.stringify(unknown)}`);
    }
  }
}

export function evolveEndpoint(state: EndpointState, event: EndpointEvent): EndpointState {
  switch (event.type) {
    case WEBHOOK_ENDPOINT_REGISTERED:
      return { status: 'active', endpointId: event.data.endpointId, namespace: event.data.namespace };
    case WEBHOOK_ENDPOINT_DELETED:
      return state.status === 'absent' ? state : { ...state, status: 'deleted' };
    default: {
      const unknown: never = event;
      throw new Error(`unknown event ${JSON.stringify(unknown)}`);
    }
  }
}

export const endpointDecider = { initialState: initialEndpointState, decide: decideEndpoint, evolve: evolveEndpoint };
