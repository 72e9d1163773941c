import { asDomainEvent, type CommandStream } from '@cave/event-store';
import { PEER_DENY_LIST_STREAM_TYPE, PEER_STREAM_TYPE, REPLICATION_STREAM_TYPE } from '../contracts/peer.events';
import { PeerCommand, peerDecider, PeerEvent, PeerState } from '../domain/peer.decider';
import { ReplicationCommand, replicationDecider, ReplicationEvent, ReplicationState } from '../domain/replication.decider';
import { DenyListCommand, denyListDecider, DenyListEvent, DenyListState } from '../domain/deny-list.decider';

export const denyListStream: CommandStream<DenyListCommand, DenyListState, DenyListEvent> = {
  decider: denyListDecider,
  streamType: PEER_DENY_LIST_STREAM_TYPE,
  toEvent: asDomainEvent,
};

export const peerStream: CommandStream<PeerCommand, PeerState, PeerEvent> = {
  decider: peerDecider,
  streamType: PEER_STREAM_TYPE,
  toEvent: asDomainEvent,
};

export const replicationStream: CommandStream<ReplicationCommand, ReplicationState, ReplicationEvent> = {
  decider: replicationDecider,
  streamType: REPLICATION_STREAM_TYPE,
  toEvent: asDomainEvent,
};
