import { fold } from '@cave/kernel';
import { decidePeer, parsePeerUrl, peerDecider, PeerEvent } from './peer.decider';
import { PeerUrlInvalidError } from './peers.errors';

const now = new Date('2026-12-01T12:00:00Z');
const registered: PeerEvent = { type: 'peer_registered', data: { peerId: 'p', url: 'https://10.0.0.7:7443', name: null, registeredAt: now.toISOString() } };

describe('peer decider', () => {
  it('records reachability only when it changes, never per poll', () => {
    const s0 = fold(peerDecider, [registered]);
    const up = decidePeer({ type: 'record_status', data: { peerId: 'p', status: 'up', nodeId: 'n', error: null, now } }, s0);
    expect(up.map((e) => e.type)).toEqual(['peer_status_changed']);
    const s1 = fold(peerDecider, [registered, ...up]);
    expect(decidePeer({ type: 'record_status', data: { peerId: 'p', status: 'up', nodeId: 'n', error: null, now } }, s1)).toEqual([]);
    expect(decidePeer({ type: 'record_status', data: { peerId: 'p', status: 'down', nodeId: null, error: 'timeout', now } }, s1)).toHaveLength(1);
  });

  it('marks a peer unreliable once, and a removed peer takes no status', () => {
    const s0 = fold(peerDecider, [registered]);
    const marked = decidePeer({ type: 'mark_unreliable', data: { peerId: 'p', corruptChunks: 3, now } }, s0);
    expect(marked).toHaveLength(1);
    expect(decidePeer({ type: 'mark_unreliable', data: { peerId: 'p', corruptChunks: 4, now } }, fold(peerDecider, [registered, ...marked]))).toEqual([]);
    const removed = fold(peerDecider, [registered, { type: 'peer_removed', data: { peerId: 'p', removedAt: now.toISOString() } }]);
    expect(decidePeer({ type: 'record_status', data: { peerId: 'p', status: 'up', nodeId: 'n', error: null, now } }, removed)).toEqual([]);
    expect(decidePeer({ type: 'remove_peer', data: { peerId: 'p', now } }, removed)).toEqual([]);
  });

  it('accepts https listener URLs only', () => {
    expect(parsePeerUrl('https://10.0.0.7:7443/')).toBe('https://10.0.0.7:7443');
    for (const bad of ['http://10.0.0.7', 'https://u:p@h', 'https://h/?x=1', 'nope']) expect(() => parsePeerUrl(bad)).toThrow(PeerUrlInvalidError);
  });
});
