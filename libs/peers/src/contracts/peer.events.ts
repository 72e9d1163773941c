/**
 * Public contract of the peers context: persisted event names and payloads. Peers, the deny list and
 * replication jobs are node-wide: their streams live in the `system` namespace.
 */
export const PEERS_NAMESPACE = 'system';

export const PEER_STREAM_TYPE = 'peer';
export const PEER_DENY_LIST_STREAM_TYPE = 'peer_deny_list';
export const REPLICATION_STREAM_TYPE = 'replication';

/** One stream holds the whole deny list, so a decision sees every earlier entry. */
export const PEER_DENY_LIST_STREAM_ID = 'peer_deny_list';
export const peerStreamId = (id: string): string => `peer-${id}`;
export const replicationStreamId = (id: string): string => `replication-${id}`;

export const PEER_CERTIFICATE_DENIED = 'peer_certificate_denied';
export const PEER_CERTIFICATE_UNDENIED = 'peer_certificate_undenied';

export interface PeerCertificateDeniedData {
  /** `serial:<lower hex>` or `node:<uuid>`. */
  entry: string;
  reason: string;
  deniedAt: string;
}

export interface PeerCertificateUndeniedData {
  entry: string;
  undeniedAt: string;
}

export const PEER_REGISTERED = 'peer_registered';
export const PEER_REMOVED = 'peer_removed';
/** Reachability changed (emitted on a change only, never per poll). */
export const PEER_STATUS_CHANGED = 'peer_status_changed';
/** The peer served corrupt chunks repeatedly: replication avoids it until it is registered again. */
export const PEER_MARKED_UNRELIABLE = 'peer_marked_unreliable';

export interface PeerRegisteredData {
  peerId: string;
  url: string;
  name: string | null;
  registeredAt: string;
}

export interface PeerRemovedData {
  peerId: string;
  removedAt: string;
}

export interface PeerStatusChangedData {
  peerId: string;
  status: 'up' | 'down';
  /** The node id the peer's certificate names (`urn:cave:node:<id>`), when up. */
  nodeId: string | null;
  /** Why it is down (`timeout`, `certificate refused`, `HTTP 503`), never a secret. */
  error: string | null;
  changedAt: string;
}

export interface PeerMarkedUnreliableData {
  peerId: string;
  corruptChunks: number;
  markedAt: string;
}

export const REPLICATION_REQUESTED = 'replication_requested';
export const REPLICATION_STARTED = 'replication_started';
/** A batch of chunks written and verified (progress; a restarted job re-checks them instead of fetching). */
export const REPLICATION_CHUNKS_STORED = 'replication_chunks_stored';
export const REPLICATION_CHUNK_FAILED = 'replication_chunk_failed';
export const REPLICATION_COMPLETED = 'replication_completed';
export const REPLICATION_FAILED = 'replication_failed';

export interface ReplicationRequestedData {
  jobId: string;
  /** Whole-artifact sha256 (the manifest's `sha256`). */
  artifactSha256: string;
  /** Per-job bandwidth limit in bytes/s; 0 = the node default. */
  maxBytesPerSec: number;
  requestedAt: string;
}

export interface ReplicationStartedData {
  jobId: string;
  name: string;
  version: string;
  sizeBytes: number;
  chunkCount: number;
  /** Peer ids serving chunks, with their ring weight and how many chunks the ring gave each. */
  sources: Array<{ peerId: string; weight: number; assignedChunks: number }>;
  /** Chunks found already stored and verified on disk (a resumed job). */
  resumedChunks: number;
  startedAt: string;
}

export interface ReplicationChunksStoredData {
  jobId: string;
  chunks: number[];
  bytes: number;
  /** Bytes per source peer id in this batch. */
  bySource: Record<string, number>;
  storedAt: string;
}

export interface ReplicationChunkFailedData {
  jobId: string;
  chunk: number;
  peerId: string;
  reason: 'corrupt' | 'timeout' | 'error';
  error: string;
  failedAt: string;
}

export interface ReplicationCompletedData {
  jobId: string;
  bytes: number;
  /** From start until every chunk was stored and verified (this run). */
  transferMs: number;
  /** Including the whole-artifact hash and the registry's own verification. */
  durationMs: number;
  bySource: Record<string, number>;
  completedAt: string;
}

export interface ReplicationFailedData {
  jobId: string;
  code: string;
  error: string;
  failedAt: string;
}
