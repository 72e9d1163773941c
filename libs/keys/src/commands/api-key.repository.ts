import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { ConcurrencyError, Database, EventStore, fold, RecordedEvent } from '@cave/event-store';
import { API_KEY_EVENT_TYPES, API_KEY_STREAM_TYPE, ApiKeyEvent, apiKeyStreamId } from '../contracts/api-key.events';
import { ApiKeyCommand } from '../domain/api-key.commands';
import { apiKeyDecider, ApiKeyState } from '../domain/api-key.decider';
import { projectApiKeyEvent } from '../projections/api-keys.projection';

export interface CommandMetadata {
  /** Key id of the caller (or `system:<worker>`). */
  actor: string;
  correlationId: string;
}

function toApiKeyEvent(e: RecordedEvent): ApiKeyEvent {
  if (!(API_KEY_EVENT_TYPES as readonly string[]).includes(e.type)) throw new Error(`unexpected ${e.type} in ${e.streamId}`);
  return { type: e.type, data: e.data } as ApiKeyEvent;
}

/**
 * Load, decide, append + project in one tenant transaction. The stream is read before the write
 * transaction opens, so a request never holds one pooled connection while waiting for another;
 * the expected version still rejects any writer that slipped in between (then we decide again).
 */
@Injectable()
export class ApiKeyRepository {
  constructor(
    private readonly db: Database,
    private readonly store: EventStore,
  ) {}

  /**
   * Issuing runs as `cave_admin`: only admins (and the bootstrap) issue keys, and the runtime role
   * has no INSERT on `api_keys`, so nothing it runs can mint a key (an admin key is an admin over
   * every namespace). Revocation runs in the caller's tenant transaction (members revoke their own).
   */
  async execute(namespace: string, keyId: string, command: ApiKeyCommand, meta: CommandMetadata): Promise<{ state: ApiKeyState; events: ApiKeyEvent[] }> {
    const streamId = apiKeyStreamId(keyId);
    for (let attempt = 0; ; attempt++) {
      const history = await this.store.readStream(streamId, { namespace });
      const version = history.length === 0 ? 0 : history[history.length - 1].streamVersion;
      const state = fold(apiKeyDecider, history.map(toApiKeyEvent));
      const events = apiKeyDecider.decide(command, state);
      if (events.length === 0) return { state, events };
      try {
        const write = async (client: PoolClient) => {
          await this.store.append(streamId, version === 0 ? 'no_stream' : version, events, {
            namespace,
            streamType: API_KEY_STREAM_TYPE,
            actor: meta.actor,
            correlationId: meta.correlationId,
            client,
          });
          for (const [i, e] of events.entries()) await projectApiKeyEvent(client, e, version + i + 1, meta.actor);
        };
        await (command.type === 'issue_key' ? this.db.asAdmin(write) : this.db.tenant(namespace, write));
      } catch (e) {
        if (e instanceof ConcurrencyError && attempt < 2) continue;
        throw e;
      }
      return { state: events.reduce(apiKeyDecider.evolve, state), events };
    }
  }
}
