export { PeersModule } from './peers.module';
export type { PeersModuleOptions } from './peers.module';
export { PeerListener } from './tls/peer-listener';
export { Replicator } from './replication/replicator';
export * from './contracts/peer.events';
export { createOperatorCa, issueNodeCertificate, nodeIdFromSubjectAltName } from './pki/operator-pki';
export type { IssuedNode, PemPair, ValidityWindow } from './pki/operator-pki';
export { initCaFiles, issueNodeFiles, readCa } from './pki/pki-files';
export type { NodeFiles } from './pki/pki-files';
