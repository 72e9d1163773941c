import type { PoolClient } from 'pg';
import type { AppendResult, RecordedEvent } from '@cave/event-store';
import { API_KEY_EVENT_TYPES, ApiKeyEvent } from '../contracts/api-key.events';
import { projectApiKeyEvent } from '../projections/api-keys.projection';

export function toApiKeyEvent(e: RecordedEvent): ApiKeyEvent {
  if (!(API_KEY_EVENT_TYPES as readonly string[]).includes(e.type)) throw new Error(`unexpected ${e.type} in ${e.streamId}`);
  return { type: e.type, data: e.data } as ApiKeyEvent;
}

/** Applies the events an append just wrote to `api_keys`, each at its own stream version. */
export async function projectAppended(client: PoolClient, events: ApiKeyEvent[], append: AppendResult, actor: string): Promise<void> {
  const first = append.nextExpectedVersion - events.length + 1;
  for (const [i, e] of events.entries()) await projectApiKeyEvent(client, e, first + i, actor);
}
