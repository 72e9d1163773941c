export { PeersModule } from './peers.module';
export type { PeersModuleOptions } from './peers.module';
export { createOperatorCa, initCaFiles, issueNodeCertificate, issueNodeFiles } from './contracts/operator-pki';
export type { IssuedNode, PemPair, ValidityWindow } from './contracts/operator-pki';
export {
  PEER_CERTIFICATE_DENIED,
  PEER_CERTIFICATE_UNDENIED,
  PEER_DENY_LIST_STREAM_ID,
  PEER_DENY_LIST_STREAM_TYPE,
  PEER_MARKED_UNRELIABLE,
  PEER_REGISTERED,
  PEER_REMOVED,
  PEER_STATUS_CHANGED,
  PEER_STREAM_TYPE,
  PEERS_NAMESPACE,
  peerStreamId,
  REPLICATION_CHUNK_FAILED,
  REPLICATION_CHUNKS_STORED,
  REPLICATION_COMPLETED,
  REPLICATION_FAILED,
  REPLICATION_REQUESTED,
  REPLICATION_STARTED,
  REPLICATION_STREAM_TYPE,
  replicationStreamId,
} from './contracts/peer.events';
export type {
  PeerCertificateDeniedData,
  PeerCertificateUndeniedData,
  PeerMarkedUnreliableData,
  PeerRegisteredData,
  PeerRemovedData,
  PeerStatusChangedData,
  ReplicationChunkFailedData,
  ReplicationChunksStoredData,
  ReplicationCompletedData,
  ReplicationFailedData,
  ReplicationRequestedData,
  ReplicationStartedData,
} from './contracts/peer.events';
