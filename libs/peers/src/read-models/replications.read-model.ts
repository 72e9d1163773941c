import type { PoolClient } from 'pg';
import {
  REPLICATION_CHUNK_FAILED,
  REPLICATION_CHUNKS_STORED,
  REPLICATION_COMPLETED,
  REPLICATION_FAILED,
  REPLICATION_REQUESTED,
  REPLICATION_STARTED,
  PEERS_NAMESPACE,
} from '../contracts/peer.events';
import type { ReplicationEvent } from '../domain/replication.decider';

export interface ReplicationView {
  id: string;
  artifactSha256: string;
  status: 'pending' | 'running' | 'completed' | 'failed';
  name: string | null;
  version: string | null;
  sizeBytes: number | null;
  chunkCount: number | null;
  doneBytes: number;
  doneChunks: number;
  failedChunks: number;
  /** Bytes fetched per source peer id. */
  bySource: Record<string, number>;
  maxBytesPerSec: number;
  errorCode: string | null;
  error: string | null;
  requestedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

interface Row {
  id: string;
  artifact_sha256: string;
  status: ReplicationView['status'];
  name: string | null;
  version_label: string | null;
  size_bytes: string | null;
  chunk_count: number | null;
  done_bytes: string;
  done_chunks: number;
  failed_chunks: number;
  by_source: Record<string, number>;
  max_bytes_per_sec: string;
  error_code: string | null;
  error: string | null;
  requested_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

const toView = (r: Row): ReplicationView => ({
  id: r.id,
  artifactSha256: r.artifact_sha256,
  status: r.status,
  name: r.name,
  version: r.version_label,
  sizeBytes: r.size_bytes === null ? null : Number(r.size_bytes),
  chunkCount: r.chunk_count,
  doneBytes: Number(r.done_bytes),
  doneChunks: r.done_chunks,
  failedChunks: r.failed_chunks,
  bySource: r.by_source,
  maxBytesPerSec: Number(r.max_bytes_per_sec),
  errorCode: r.error_code,
  error: r.error,
  requestedAt: r.requested_at.toISOString(),
  startedAt: r.started_at?.toISOString() ?? null,
  finishedAt: r.finished_at?.toISOString() ?? null,
});

const COLUMNS = `id, artifact_sha256, status, name, version_label, size_bytes, chunk_count, done_bytes, done_chunks, failed_chunks, by_source,
  max_bytes_per_sec, error_code, error, requested_at, started_at, finished_at`;

export const replicationsReadModel = {
  async get(c: PoolClient, id: string): Promise<ReplicationView | undefined> {
    const { rows } = await c.query<Row>(`select ${COLUMNS} from peer_replications where id = $1`, [id]);
    return rows.length === 0 ? undefined : toView(rows[0]);
  },

  async list(c: PoolClient, limit = 100): Promise<ReplicationView[]> {
    const { rows } = await c.query<Row>(`select ${COLUMNS} from peer_replications order by requested_at desc, id limit $1`, [limit]);
    return rows.map(toView);
  },

  async open(c: PoolClient): Promise<string[]> {
    const { rows } = await c.query<{ id: string }>(`select id from peer_replications where status in ('pending', 'running') order by requested_at`);
    return rows.map((r) => r.id);
  },

  async apply(c: PoolClient, e: ReplicationEvent, version: number): Promise<void> {
    const d = e.data;
    switch (e.type) {
      case REPLICATION_REQUESTED:
        await c.query(`insert into peer_replications (id, namespace, artifact_sha256, status, max_bytes_per_sec, requested_at, version) values ($1, $2, $3, 'pending', $4, $5, $6)`, [
          e.data.jobId,
          PEERS_NAMESPACE,
          e.data.artifactSha256,
          e.data.maxBytesPerSec,
          e.data.requestedAt,
          version,
        ]);
        return;
      case REPLICATION_STARTED:
        await c.query(
          `update peer_replications set status = 'running', name = $2, version_label = $3, size_bytes = $4, chunk_count = $5, started_at = coalesce(started_at, $6), version = $7 where id = $1`,
          [d.jobId, e.data.name, e.data.version, e.data.sizeBytes, e.data.chunkCount, e.data.startedAt, version],
        );
        return;
      case REPLICATION_CHUNKS_STORED: {
        // by_source adds up per key: jsonb has no merge-with-sum, so the new totals are computed in SQL.
        await c.query(
          `update peer_replications set done_bytes = done_bytes + $2, done_chunks = done_chunks + $3, version = $5,
             by_source = (select coalesce(jsonb_object_agg(k, v), '{}') from (
               select k, sum(v::bigint) as v from (
                 select key as k, value::text as v from jsonb_each(by_source) union all select key, value::text from jsonb_each($4::jsonb)
               ) s group by k) t)
           where id = $1`,
          [d.jobId, e.data.bytes, e.data.chunks.length, JSON.stringify(e.data.bySource), version],
        );
        return;
      }
      case REPLICATION_CHUNK_FAILED:
        await c.query('update peer_replications set failed_chunks = failed_chunks + 1, version = $2 where id = $1', [d.jobId, version]);
        return;
      case REPLICATION_COMPLETED:
        await c.query(`update peer_replications set status = 'completed', finished_at = $2, error = null, error_code = null, version = $3 where id = $1`, [d.jobId, e.data.completedAt, version]);
        return;
      case REPLICATION_FAILED:
        await c.query(`update peer_replications set status = 'failed', finished_at = $2, error_code = $3, error = $4, version = $5 where id = $1`, [
          d.jobId,
          e.data.failedAt,
          e.data.code,
          e.data.error,
          version,
        ]);
        return;
      default: {
        const unknown: never = e;
        throw new Error(`unknown event ${JSON.stringify(unknown)}`);
      }
    }
  },
};
