import type { CommandStream, RecordedEvent } from '@cave/event-store';
import { API_KEY_EVENT_TYPES, API_KEY_STREAM_TYPE, ApiKeyEvent } from '../contracts/api-key.events';
import { ApiKeyCommand } from '../domain/api-key.commands';
import { apiKeyDecider, ApiKeyState } from '../domain/api-key.decider';

function toApiKeyEvent(e: RecordedEvent): ApiKeyEvent {
  if (!(API_KEY_EVENT_TYPES as readonly string[]).includes(e.type)) throw new Error(`unexpected ${e.type} in ${e.streamId}`);
  return { type: e.type, data: e.data } as ApiKeyEvent;
}

/** The api_key aggregate as the CommandRunner runs it. */
export const apiKeyStream: CommandStream<ApiKeyCommand, ApiKeyState, ApiKeyEvent> = {
  decider: apiKeyDecider,
  streamType: API_KEY_STREAM_TYPE,
  toEvent: toApiKeyEvent,
};

/** A key command that lost a race with another writer of its stream decides again on the new state. */
export const API_KEY_RETRIES = 2;
