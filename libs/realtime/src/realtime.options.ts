/** How the realtime module reaches the WAL. */
export interface RealtimeOptions {
  /**
   * Login of a role with REPLICATION (`cave_replicator`, docs/adr/0008). Without it the WAL source
   * is disabled and tails poll the table (`pollMs`).
   */
  replicationUrl?: string;
  /** Safety-net poll while the WAL source runs (default 1000 ms). */
  pollMs?: number;
  /** Poll period when the WAL source is disabled (default 200 ms). */
  fallbackPollMs?: number;
  /**
   * Engine.IO connections one remote address may hold at once (default 256; 0 = no cap). An unauthenticated
   * connection costs a file descriptor until its handshake times out.
   */
  maxConnectionsPerAddress?: number;
}

export const REALTIME_OPTIONS = Symbol('REALTIME_OPTIONS');
