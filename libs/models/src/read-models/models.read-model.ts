import type { PoolClient } from 'pg';
import type { SignedManifest } from '../contracts/model-package';
import {
  MODEL_ACTIVATED,
  MODEL_DEACTIVATED,
  MODEL_DELETED,
  MODEL_REGISTERED,
  MODEL_VERIFICATION_FAILED,
  MODEL_VERIFIED,
  ModelEvent,
  ModelStorageLocation,
} from '../contracts/models.events';
import type { ModelStatus } from '../domain/model.decider';

/** A registered model as admins see it (the chunk list stays in `signed`, which only the ports hand out). */
export interface ModelView {
  modelId: string;
  name: string;
  version: string;
  format: 'gguf';
  sha256: string;
  sizeBytes: number;
  chunkSize: number;
  chunkCount: number;
  license: string;
  publisher: string;
  status: ModelStatus;
  source: string;
  registeredAt: string;
  registeredBy: string | null;
  verifiedAt: string | null;
  failure: { code: string; chunk: number | null } | null;
  activeIn: string[];
  streamVersion: number;
}

export interface ModelRecord extends ModelView {
  signed: SignedManifest;
  storage: ModelStorageLocation;
}

interface Row {
  model_id: string;
  name: string;
  version: string;
  size_bytes: string;
  chunk_size: number;
  chunk_count: number;
  license: string;
  publisher: string;
  signed: SignedManifest;
  storage_ns: string;
  storage_bucket: string;
  storage_key: string;
  source: string;
  status: ModelStatus;
  verified_at: Date | null;
  failure_code: string | null;
  failure_chunk: number | null;
  registered_at: Date;
  registered_by: string | null;
  stream_version: number;
  active_in: string[] | null;
}

const SELECT = `select m.*, (select array_agg(a.namespace order by a.namespace) from model_activations a where a.model_id = m.model_id) as active_in from models m`;

const toRecord = (r: Row): ModelRecord => ({
  modelId: r.model_id,
  name: r.name,
  version: r.version,
  format: 'gguf',
  sha256: r.model_id,
  sizeBytes: Number(r.size_bytes),
  chunkSize: r.chunk_size,
  chunkCount: r.chunk_count,
  license: r.license,
  publisher: r.publisher,
  status: r.status,
  source: r.source,
  registeredAt: r.registered_at.toISOString(),
  registeredBy: r.registered_by,
  verifiedAt: r.verified_at?.toISOString() ?? null,
  failure: r.failure_code === null ? null : { code: r.failure_code, chunk: r.failure_chunk },
  activeIn: r.active_in ?? [],
  streamVersion: r.stream_version,
  signed: r.signed,
  storage: { namespace: r.storage_ns, bucket: r.storage_bucket, key: r.storage_key },
});

/** The (quoted) tables a model event is applied to. */
export interface ModelTables {
  models: string;
  activations: string;
}

export const LIVE_MODEL_TABLES: ModelTables = { models: 'models', activations: 'model_activations' };

/**
 * The registry tables, written in the transaction of the event they apply (as cave_admin). Idempotent by stream
 * version: an event at or below the row's version changes nothing.
 */
export const modelsReadModel = {
  async get(c: PoolClient, modelId: string): Promise<ModelRecord | undefined> {
    const { rows } = await c.query<Row>(`${SELECT} where m.model_id = $1 and m.status <> 'deleted'`, [modelId]);
    return rows.length === 0 ? undefined : toRecord(rows[0]);
  },

  async list(c: PoolClient, filter: { status?: ModelStatus; name?: string } = {}): Promise<ModelRecord[]> {
    const { rows } = await c.query<Row>(
      `${SELECT} where m.status <> 'deleted' and ($1::text is null or m.status = $1) and ($2::text is null or m.name = $2) order by m.name, m.registered_at, m.model_id`,
      [filter.status ?? null, filter.name ?? null],
    );
    return rows.map(toRecord);
  },

  /** The live model registered under `name`/`version`, if any. */
  async byNameVersion(c: PoolClient, name: string, version: string): Promise<ModelRecord | undefined> {
    const { rows } = await c.query<Row>(`${SELECT} where m.name = $1 and m.version = $2 and m.status <> 'deleted'`, [name, version]);
    return rows.length === 0 ? undefined : toRecord(rows[0]);
  },

  /** Which model serves `name` in a namespace: run in a tenant transaction, so RLS decides. */
  async activeModelId(c: PoolClient, name: string): Promise<string | undefined> {
    const { rows } = await c.query<{ model_id: string }>(`select model_id from model_activations where name = $1`, [name]);
    return rows[0]?.model_id;
  },

  /** Verified models holding a chunk with this hash, with its index. */
  async chunkHolders(c: PoolClient, chunkSha256: string): Promise<{ record: ModelRecord; index: number }[]> {
    const { rows } = await c.query<Row & { idx: string }>(
      `select m.*, ch.idx, (select array_agg(a.namespace order by a.namespace) from model_activations a where a.model_id = m.model_id) as active_in
       from models m cross join lateral jsonb_array_elements_text(m.signed->'manifest'->'chunks') with ordinality as ch(hash, idx)
       where m.status = 'verified' and ch.hash = $1`,
      [chunkSha256],
    );
    return rows.map((r) => ({ record: toRecord(r), index: Number(r.idx) - 1 }));
  },

  /**
   * Applies one event of a model stream at `version`. `t` names the tables to write: the live ones inline, a
   * rebuild's shadows from the projector (`modelsProjection`).
   */
  async apply(c: PoolClient, event: ModelEvent, version: number, actor: string | null, t: ModelTables = LIVE_MODEL_TABLES): Promise<void> {
    const { models, activations } = t;
    switch (event.type) {
      case MODEL_REGISTERED: {
        const d = event.data;
        const m = d.signed.manifest;
        await c.query(
          `insert into ${models} as o (model_id, name, version, size_bytes, chunk_size, chunk_count, license, publisher, signed, storage_ns, storage_bucket,
                                    storage_key, source, status, registered_at, registered_by, stream_version)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'unverified', $14, $15, $16)
           on conflict (model_id) do update set name = excluded.name, version = excluded.version, size_bytes = excluded.size_bytes,
             chunk_size = excluded.chunk_size, chunk_count = excluded.chunk_count, license = excluded.license, publisher = excluded.publisher,
             signed = excluded.signed, storage_ns = excluded.storage_ns, storage_bucket = excluded.storage_bucket, storage_key = excluded.storage_key,
             source = excluded.source, status = 'unverified', verified_at = null, failure_code = null, failure_chunk = null,
             registered_at = excluded.registered_at, registered_by = excluded.registered_by, stream_version = excluded.stream_version
           where o.stream_version < excluded.stream_version`,
          [d.modelId, m.name, m.version, m.sizeBytes, m.chunkSize, m.chunks.length, m.license, m.publisher, JSON.stringify(d.signed), d.storage.namespace,
            d.storage.bucket, d.storage.key, d.source.ref ? `${d.source.kind}:${d.source.ref}` : d.source.kind, d.registeredAt, actor, version],
        );
        return;
      }
      case MODEL_VERIFIED:
        await c.query(
          `update ${models} set status = 'verified', verified_at = $2, failure_code = null, failure_chunk = null, stream_version = $3 where model_id = $1 and stream_version < $3`,
          [event.data.modelId, event.data.verifiedAt, version],
        );
        return;
      case MODEL_VERIFICATION_FAILED:
        await c.query(`update ${models} set status = 'failed', failure_code = $2, failure_chunk = $3, stream_version = $4 where model_id = $1 and stream_version < $4`, [
          event.data.modelId,
          event.data.code,
          event.data.chunk,
          version,
        ]);
        await c.query(`delete from ${activations} where model_id = $1`, [event.data.modelId]);
        return;
      case MODEL_ACTIVATED:
        await c.query(
          `insert into ${activations} (namespace, name, model_id, activated_at, activated_by) values ($1, $2, $3, $4, $5) on conflict (namespace, name) do nothing`,
          [event.data.namespace, event.data.name, event.data.modelId, event.data.activatedAt, actor],
        );
        await c.query(`update ${models} set stream_version = $2 where model_id = $1 and stream_version < $2`, [event.data.modelId, version]);
        return;
      case MODEL_DEACTIVATED:
        await c.query(`delete from ${activations} where namespace = $1 and model_id = $2`, [event.data.namespace, event.data.modelId]);
        await c.query(`update ${models} set stream_version = $2 where model_id = $1 and stream_version < $2`, [event.data.modelId, version]);
        return;
      case MODEL_DELETED:
        await c.query(`update ${models} set status = 'deleted', stream_version = $2 where model_id = $1 and stream_version < $2`, [event.data.modelId, version]);
        await c.query(`delete from ${activations} where model_id = $1`, [event.data.modelId]);
        return;
      default: {
        const unknown: never = event;
        throw new Error(`models read model: unhandled event ${JSON.stringify(unknown)}`);
      }
    }
  },
};
