import { daemonEnv, type DaemonSettings } from '@cave/testing';

/** What a peering daemon needs beyond any daemon's settings: its peer port and certificate files. */
export interface PeerDaemonSettings extends DaemonSettings {
  peerPort: number;
  certFiles: Record<string, string>;
}

/** The environment of a daemon that seeds models to its peers, as the p2p e2e and the p2p bench both run it. */
export function peerDaemonEnv(s: PeerDaemonSettings, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return daemonEnv(s, { ...s.certFiles, CAVE_PEER_PORT: String(s.peerPort), ...extra });
}
