import {
  PEER_MARKED_UNRELIABLE,
  PEER_REGISTERED,
  PEER_REMOVED,
  PEER_STATUS_CHANGED,
  PeerMarkedUnreliableData,
  PeerRegisteredData,
  PeerRemovedData,
  PeerStatusChangedData,
} from '../contracts/peer.events';
import { PeerNotFoundError, PeerUrlInvalidError } from './peers.errors';

export type PeerEvent =
  | { type: typeof PEER_REGISTERED; data: PeerRegisteredData }
  | { type: typeof PEER_REMOVED; data: PeerRemovedData }
  | { type: typeof PEER_STATUS_CHANGED; data: PeerStatusChangedData }
  | { type: typeof PEER_MARKED_UNRELIABLE; data: PeerMarkedUnreliableData };

export type PeerCommand =
  | { type: 'register_peer'; data: { peerId: string; url: string; name: string | null; now: Date } }
  | { type: 'remove_peer'; data: { peerId: string; now: Date } }
  | { type: 'record_status'; data: { peerId: string; status: 'up' | 'down'; nodeId: string | null; error: string | null; now: Date } }
  | { type: 'mark_unreliable'; data: { peerId: string; corruptChunks: number; now: Date } };

export type PeerState =
  | { status: 'absent' }
  | { status: 'active' | 'removed'; peerId: string; reachability: 'unknown' | 'up' | 'down'; nodeId: string | null; unreliable: boolean };

export const initialPeerState: PeerState = { status: 'absent' };

/** A peer base URL: https, no credentials, no query or fragment; normalised without a trailing slash. */
export function parsePeerUrl(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new PeerUrlInvalidError('url must be an absolute https URL of the peer listener, e.g. https://10.0.0.7:7443');
  }
  if (u.protocol !== 'https:') throw new PeerUrlInvalidError('peers speak mutual TLS only: the url must be https');
  if (u.username || u.password || u.search || u.hash) throw new PeerUrlInvalidError('the url must not carry credentials, a query or a fragment');
  return u.href.replace(/\/+$/, '');
}

export function decidePeer(command: PeerCommand, state: PeerState): PeerEvent[] {
  const at = command.data.now.toISOString();
  switch (command.type) {
    case 'register_peer': {
      if (state.status !== 'absent') throw new PeerNotFoundError(command.data.peerId);
      const { peerId, url, name } = command.data;
      return [{ type: PEER_REGISTERED, data: { peerId, url, name, registeredAt: at } }];
    }
    case 'remove_peer':
      if (state.status === 'absent') throw new PeerNotFoundError(command.data.peerId);
      if (state.status === 'removed') return [];
      return [{ type: PEER_REMOVED, data: { peerId: command.data.peerId, removedAt: at } }];
    case 'record_status': {
      // Health is polled every few seconds: only a change is an event.
      if (state.status !== 'active') return [];
      const { peerId, status, nodeId, error } = command.data;
      if (state.reachability === status && (status === 'down' || state.nodeId === nodeId)) return [];
      return [{ type: PEER_STATUS_CHANGED, data: { peerId, status, nodeId, error, changedAt: at } }];
    }
    case 'mark_unreliable':
      if (state.status !== 'active' || state.unreliable) return [];
      return [{ type: PEER_MARKED_UNRELIABLE, data: { peerId: command.data.peerId, corruptChunks: command.data.corruptChunks, markedAt: at } }];
    default: {
      const unknown: never = command;
      throw new Error(`unknown command ${JSON.stringify(unknown)}`);
    }
  }
}

export function evolvePeer(state: PeerState, event: PeerEvent): PeerState {
  switch (event.type) {
    case PEER_REGISTERED:
      return { status: 'active', peerId: event.data.peerId, reachability: 'unknown', nodeId: null, unreliable: false };
    case PEER_REMOVED:
      return state.status === 'absent' ? state : { ...state, status: 'removed' };
    case PEER_STATUS_CHANGED:
      return state.status === 'absent' ? state : { ...state, reachability: event.data.status, nodeId: event.data.nodeId ?? state.nodeId };
    case PEER_MARKED_UNRELIABLE:
      return state.status === 'absent' ? state : { ...state, unreliable: true };
    default: {
      const unknown: never = event;
      throw new Error(`unknown event ${JSON.stringify(unknown)}`);
    }
  }
}

export const peerDecider = { initialState: initialPeerState, decide: decidePeer, evolve: evolvePeer };
