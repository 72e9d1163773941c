import { join } from 'node:path';

/** What a peering daemon needs of its own: ports, its certificate files, a database and a data dir. */
export interface PeerDaemonSettings {
  port: number;
  peerPort: number;
  certFiles: Record<string, string>;
  databaseUrl: string;
  dataDir: string;
  adminKey: string;
}

/**
 * The environment of a daemon that seeds models to its peers, as the p2p e2e and the p2p bench both run it. The
 * audit file goes with the data dir, so two daemons never append to one file; `extra` comes last and wins.
 */
export function peerDaemonEnv(s: PeerDaemonSettings, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ...s.certFiles,
    PORT: String(s.port),
    HOST: '127.0.0.1',
    CAVE_PEER_PORT: String(s.peerPort),
    DATABASE_URL: s.databaseUrl,
    CAVE_DATA_DIR: s.dataDir,
    CAVE_AUDIT_LOG_PATH: join(s.dataDir, 'audit.jsonl'),
    CAVE_BOOTSTRAP_ADMIN_KEY: s.adminKey,
    ...extra,
  };
}
