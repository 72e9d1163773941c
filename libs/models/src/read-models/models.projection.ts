import type { PoolClient } from 'pg';
import type { RecordedEvent } from '@cave/event-store';
import type { Projection } from '@cave/projections';
import {
  MODEL_ACTIVATED,
  MODEL_DEACTIVATED,
  MODEL_DELETED,
  MODEL_PUBLISHER_REVOKED,
  MODEL_PUBLISHER_STREAM_TYPE,
  MODEL_PUBLISHER_TRUSTED,
  MODEL_REGISTERED,
  MODEL_STREAM_TYPE,
  MODEL_VERIFICATION_FAILED,
  MODEL_VERIFIED,
  ModelEvent,
  PublisherEvent,
} from '../contracts/models.events';
import { modelsReadModel } from './models.read-model';
import { publishersReadModel } from './publishers.read-model';

export const MODELS_PROJECTION = 'models';

const MODEL_EVENT_TYPES = [MODEL_REGISTERED, MODEL_VERIFIED, MODEL_VERIFICATION_FAILED, MODEL_ACTIVATED, MODEL_DEACTIVATED, MODEL_DELETED];
const PUBLISHER_EVENT_TYPES = [MODEL_PUBLISHER_TRUSTED, MODEL_PUBLISHER_REVOKED];

/** The row an event applies to: a model's id (its sha256) or a publisher's. */
const idOf = (e: RecordedEvent) => (e.data as { modelId?: string; publisherId?: string }).modelId ?? (e.data as { publisherId: string }).publisherId;
const rowOf = (e: RecordedEvent) => `${e.streamType}:${idOf(e)}`;

/**
 * The registry tables (`models`, `model_activations`, `model_publishers`) on the projection runtime. Commands
 * still write them inline, in the append's transaction (read-your-writes, and an activation is visible to the llm
 * edge the moment it commits); this projector replays the same statements from the log, so the tables can be
 * rebuilt (shadow + swap, ADR 0006) and a missed row heals.
 *
 * The version check is what makes the live track safe: every event of a model stream advances `models.stream_version`
 * (a publisher's, `model_publishers.stream_version`), so an event at or below the row's version was applied already
 * and is skipped. Without it, replaying `model_activated` after its `model_deactivated` was applied inline would put
 * the activation back until the next batch, serving a deactivated model in between.
 */
export function modelsProjection(): Projection {
  return {
    name: MODELS_PROJECTION,
    version: 1,
    eventTypes: [...PUBLISHER_EVENT_TYPES, ...MODEL_EVENT_TYPES],
    tables: ['model_publishers', 'models', 'model_activations'],
    batchSize: 500,
    async handle(events, client, ctx) {
      const tables = { models: ctx.table('models'), activations: ctx.table('model_activations') };
      const publishers = ctx.table('model_publishers');
      const ofModels = events.filter((e) => e.streamType === MODEL_STREAM_TYPE);
      const ofPublishers = events.filter((e) => e.streamType === MODEL_PUBLISHER_STREAM_TYPE);
      const applied = new Map([
        ...(await versions(client, tables.models, 'model_id', MODEL_STREAM_TYPE, ofModels)),
        ...(await versions(client, publishers, 'publisher_id', MODEL_PUBLISHER_STREAM_TYPE, ofPublishers)),
      ]);
      for (const e of events) {
        const row = rowOf(e);
        if (e.streamVersion <= (applied.get(row) ?? 0)) continue;
        const actor = e.metadata.actor ?? null;
        if (e.streamType === MODEL_STREAM_TYPE) await modelsReadModel.apply(client, { type: e.type, data: e.data } as ModelEvent, e.streamVersion, actor, tables);
        else if (e.streamType === MODEL_PUBLISHER_STREAM_TYPE) await publishersReadModel.apply(client, { type: e.type, data: e.data } as PublisherEvent, e.streamVersion, publishers);
        else continue;
        applied.set(row, e.streamVersion);
      }
    },
  };
}

/** The stream version each row of `table` holds, by `rowOf` key. */
async function versions(c: PoolClient, table: string, key: string, streamType: string, events: RecordedEvent[]): Promise<[string, number][]> {
  if (events.length === 0) return [];
  const { rows } = await c.query<{ id: string; v: number }>(`select ${key} as id, stream_version as v from ${table} where ${key} = any($1::text[])`, [[...new Set(events.map(idOf))]]);
  return rows.map((r) => [`${streamType}:${r.id}`, r.v]);
}
