import {
  WEBHOOK_DELIVERY_FAILED,
  WEBHOOK_DELIVERY_RETRIED,
  WEBHOOK_DELIVERY_SUCCEEDED,
  WebhookDeliveryAttemptData,
  WebhookDeliveryRetriedData,
} from '../contracts/webhook.events';
import { DeliveryNotDeadError } from './webhook.errors';

export type DeliveryEvent =
  | { type: typeof WEBHOOK_DELIVERY_SUCCEEDED; data: WebhookDeliveryAttemptData }
  | { type: typeof WEBHOOK_DELIVERY_FAILED; data: WebhookDeliveryAttemptData }
  | { type: typeof WEBHOOK_DELIVERY_RETRIED; data: WebhookDeliveryRetriedData };

/**
 * A delivery's stream starts with its first attempt (the queue row is created by the outbox
 * projector from the source event). `attempts` counts every attempt; `roundAttempts` those since the
 * last manual retry, which is what the backoff schedule and the dead-letter limit look at.
 */
export interface DeliveryState {
  status: 'pending' | 'succeeded' | 'dead';
  attempts: number;
  roundAttempts: number;
}

export const initialDeliveryState: DeliveryState = { status: 'pending', attempts: 0, roundAttempts: 0 };

export type DeliveryCommand =
  | { type: 'record_attempt'; data: WebhookDeliveryAttemptData & { succeeded: boolean } }
  | { type: 'retry_delivery'; data: WebhookDeliveryRetriedData };

export function decideDelivery(command: DeliveryCommand, state: DeliveryState): DeliveryEvent[] {
  switch (command.type) {
    case 'record_attempt': {
      const { succeeded, ...d } = command.data;
      // The stream version fences concurrent senders; this guards against a result for a finished delivery.
      if (state.status !== 'pending') throw new DeliveryNotDeadError(`delivery ${d.deliveryId} is ${state.status}; no attempt is due`);
      return [{ type: succeeded ? WEBHOOK_DELIVERY_SUCCEEDED : WEBHOOK_DELIVERY_FAILED, data: d }];
    }
    case 'retry_delivery':
      if (state.status !== 'dead') {
        throw new DeliveryNotDeadError(`delivery ${command.data.deliveryId} is ${state.status}; only dead-lettered deliveries can be retried`, {
          deliveryStatus: state.status,
        });
      }
      return [{ type: WEBHOOK_DELIVERY_RETRIED, data: command.data }];
    default: {
      const unknown: never = command;
      throw new Error(`unknown command ${JSON.stringify(unknown)}`);
    }
  }
}

export function evolveDelivery(state: DeliveryState, event: DeliveryEvent): DeliveryState {
  switch (event.type) {
    case WEBHOOK_DELIVERY_SUCCEEDED:
      return { status: 'succeeded', attempts: state.attempts + 1, roundAttempts: state.roundAttempts + 1 };
    case WEBHOOK_DELIVERY_FAILED:
      return { status: event.data.deadLettered ? 'dead' : 'pending', attempts: state.attempts + 1, roundAttempts: state.roundAttempts + 1 };
    case WEBHOOK_DELIVERY_RETRIED:
      return { ...state, status: 'pending', roundAttempts: 0 };
    default: {
      const unknown: never = event;
      throw new Error(`unknown event ${JSON.stringify(unknown)}`);
    }
  }
}

export const deliveryDecider = { initialState: initialDeliveryState, decide: decideDelivery, evolve: evolveDelivery };
