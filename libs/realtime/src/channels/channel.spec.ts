import type { Principal } from '@cave/kernel';
import { channelMatches, resolveChannel } from './channel';

const member: Principal = { keyId: 'k1', namespace: 'acme', role: 'member' };
const admin: Principal = { keyId: 'k0', namespace: 'ops', role: 'admin' };
const ev = (namespace: string, streamId: string, streamType = 'sandbox') => ({ namespace, streamId, streamType });

describe('resolveChannel', () => {
  it('confines every member channel to the key namespace', () => {
    const ns = resolveChannel('namespace', member);
    const stream = resolveChannel('stream:s-1', member);
    const type = resolveChannel('type:sandbox', member);
    expect(channelMatches(ns, ev('acme', 'x'))).toBe(true);
    expect(channelMatches(ns, ev('other', 'x'))).toBe(false);
    expect(channelMatches(stream, ev('acme', 's-1'))).toBe(true);
    expect(channelMatches(stream, ev('other', 's-1'))).toBe(false);
    expect(channelMatches(type, ev('acme', 'x', 'sandbox'))).toBe(true);
    expect(channelMatches(type, ev('other', 'x', 'sandbox'))).toBe(false);
    expect(channelMatches(type, ev('acme', 'x', 'model'))).toBe(false);
  });

  it('refuses admin channels to members, whatever namespace they name', () => {
    for (const ch of ['all', 'namespace:acme', 'namespace:other', 'namespace:nope']) {
      expect(() => resolveChannel(ch, member)).toThrow(expect.objectContaining({ code: 'REALTIME.FORBIDDEN' }));
    }
  });

  it('gives admins namespace:<ns>, all and streams of any namespace', () => {
    expect(channelMatches(resolveChannel('all', admin), ev('x', 'y'))).toBe(true);
    expect(channelMatches(resolveChannel('namespace:acme', admin), ev('acme', 'y'))).toBe(true);
    expect(channelMatches(resolveChannel('namespace:acme', admin), ev('ops', 'y'))).toBe(false);
    expect(channelMatches(resolveChannel('stream:s-1', admin), ev('acme', 's-1'))).toBe(true);
  });

  it('rejects malformed channels', () => {
    for (const ch of ['', 'stream:', 'foo:bar', 'stream', ':x', 'namespace:Bad NS', `stream:${'x'.repeat(201)}`, 'stream:a\u0000b']) {
      expect(() => resolveChannel(ch, admin)).toThrow(expect.objectContaining({ code: 'REALTIME.INVALID_CHANNEL' }));
    }
  });
});
