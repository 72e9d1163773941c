import type { PoolClient } from 'pg';
import { PEER_MARKED_UNRELIABLE, PEER_REGISTERED, PEER_REMOVED, PEER_STATUS_CHANGED, PEERS_NAMESPACE } from '../contracts/peer.events';
import type { PeerEvent } from '../domain/peer.decider';

export interface PeerView {
  id: string;
  url: string;
  name: string | null;
  nodeId: string | null;
  status: 'unknown' | 'up' | 'down';
  statusError: string | null;
  statusChangedAt: string | null;
  unreliable: boolean;
  registeredAt: string;
  health: {
    lastSeenAt: string | null;
    rttMs: number | null;
    freeDiskBytes: number | null;
    totalMemoryBytes: number | null;
    freeMemoryBytes: number | null;
    checkedAt: string;
    error: string | null;
  } | null;
}

interface Row {
  id: string;
  url: string;
  name: string | null;
  node_id: string | null;
  status: PeerView['status'];
  status_error: string | null;
  status_changed_at: Date | null;
  unreliable: boolean;
  registered_at: Date;
  last_seen_at: Date | null;
  rtt_ms: number | null;
  free_disk_bytes: string | null;
  total_memory_bytes: string | null;
  free_memory_bytes: string | null;
  checked_at: Date | null;
  error: string | null;
}

const num = (v: string | null) => (v === null ? null : Number(v));
const toView = (r: Row): PeerView => ({
  id: r.id,
  url: r.url,
  name: r.name,
  nodeId: r.node_id,
  status: r.status,
  statusError: r.status_error,
  statusChangedAt: r.status_changed_at?.toISOString() ?? null,
  unreliable: r.unreliable,
  registeredAt: r.registered_at.toISOString(),
  health: r.checked_at
    ? {
        lastSeenAt: r.last_seen_at?.toISOString() ?? null,
        rttMs: r.rtt_ms,
        freeDiskBytes: num(r.free_disk_bytes),
        totalMemoryBytes: num(r.total_memory_bytes),
        freeMemoryBytes: num(r.free_memory_bytes),
        checkedAt: r.checked_at.toISOString(),
        error: r.error,
      }
    : null,
});

const SELECT = `select p.id, p.url, p.name, p.node_id, p.status, p.status_error, p.status_changed_at, p.unreliable, p.registered_at,
  h.last_seen_at, h.rtt_ms, h.free_disk_bytes, h.total_memory_bytes, h.free_memory_bytes, h.checked_at, h.error
  from peers p left join peer_health h on h.peer_id = p.id where p.removed_at is null`;

/** Peers (active) with their latest health observation; callers run as cave_admin (routes are admin-only). */
export const peersReadModel = {
  async get(c: PoolClient, id: string): Promise<PeerView | undefined> {
    const { rows } = await c.query<Row>(`${SELECT} and p.id = $1`, [id]);
    return rows.length === 0 ? undefined : toView(rows[0]);
  },

  async list(c: PoolClient): Promise<PeerView[]> {
    const { rows } = await c.query<Row>(`${SELECT} order by p.registered_at, p.id`);
    return rows.map(toView);
  },

  async byUrl(c: PoolClient, url: string): Promise<string | undefined> {
    const { rows } = await c.query<{ id: string }>('select id from peers where url = $1 and removed_at is null', [url]);
    return rows[0]?.id;
  },

  /** Applies a peer event to the read model (in the command's transaction). */
  async apply(c: PoolClient, e: PeerEvent, version: number): Promise<void> {
    switch (e.type) {
      case PEER_REGISTERED:
        await c.query(`insert into peers (id, namespace, url, name, status, registered_at, version) values ($1, $2, $3, $4, 'unknown', $5, $6)`, [
          e.data.peerId,
          PEERS_NAMESPACE,
          e.data.url,
          e.data.name,
          e.data.registeredAt,
          version,
        ]);
        return;
      case PEER_REMOVED:
        await c.query('update peers set removed_at = $2, version = $3 where id = $1', [e.data.peerId, e.data.removedAt, version]);
        await c.query('delete from peer_health where peer_id = $1', [e.data.peerId]);
        return;
      case PEER_STATUS_CHANGED:
        await c.query('update peers set status = $2, node_id = coalesce($3, node_id), status_error = $4, status_changed_at = $5, version = $6 where id = $1', [
          e.data.peerId,
          e.data.status,
          e.data.nodeId,
          e.data.error,
          e.data.changedAt,
          version,
        ]);
        return;
      case PEER_MARKED_UNRELIABLE:
        await c.query('update peers set unreliable = true, version = $2 where id = $1', [e.data.peerId, version]);
        return;
      default: {
        const unknown: never = e;
        throw new Error(`unknown event ${JSON.stringify(unknown)}`);
      }
    }
  },
};
