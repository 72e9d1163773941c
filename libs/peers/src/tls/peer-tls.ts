import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import type { PeersConfig } from '@cave/config';
import { nodeIdFromSubjectAltName } from '../pki/operator-pki';

/** This node's TLS material: one certificate serves the peer listener and dials other peers. */
export interface PeerTlsMaterial {
  ca: Buffer;
  cert: Buffer;
  key: Buffer;
  nodeId: string;
  serial: string;
}

/** TLS 1.3 only, in both directions: no downgrade to a version with weaker handshakes. */
export const TLS_VERSIONS = { minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' } as const;

export function loadPeerTls(config: Pick<PeersConfig, 'caFile' | 'certFile' | 'keyFile'>): PeerTlsMaterial | undefined {
  if (!config.caFile || !config.certFile || !config.keyFile) return undefined;
  const cert = readFileSync(config.certFile);
  const parsed = new X509Certificate(cert);
  const nodeId = nodeIdFromSubjectAltName(parsed.subjectAltName);
  if (!nodeId) throw new Error(`${config.certFile} is not a CAVE node certificate (no urn:cave:node:<id> name): issue one with \`pki issue-node\``);
  return { ca: readFileSync(config.caFile), cert, key: readFileSync(config.keyFile), nodeId, serial: parsed.serialNumber.toLowerCase() };
}
