import type { CommandStream, RecordedEvent } from '@cave/event-store';
import { PEER_DENY_LIST_STREAM_TYPE } from '../contracts/peer.events';
import { DenyListCommand, denyListDecider, DenyListEvent, DenyListState } from '../domain/deny-list.decider';

export const denyListStream: CommandStream<DenyListCommand, DenyListState, DenyListEvent> = {
  decider: denyListDecider,
  streamType: PEER_DENY_LIST_STREAM_TYPE,
  toEvent: (e: RecordedEvent) => ({ type: e.type, data: e.data }) as DenyListEvent,
};
