import type { Principal } from '@cave/kernel';
import { forbiddenChannel, invalidChannel } from './realtime.errors';

/**
 * What a channel selects. `namespace` is always set for member keys, so every match and every
 * history read of a member is confined to its own namespace whatever the channel string says.
 */
export type ChannelSpec =
  | { kind: 'namespace'; namespace: string }
  | { kind: 'stream'; streamId: string; namespace?: string }
  | { kind: 'type'; streamType: string; namespace: string }
  | { kind: 'all' };

/** The fields of an event a channel looks at. */
export interface ChannelEvent {
  namespace: string;
  streamId: string;
  streamType: string;
}

const NAMESPACE = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const MAX_ID = 200;

/**
 * Parses a client's channel name and checks it against the key's role. Channels: `namespace`,
 * `stream:<streamId>`, `type:<streamType>`; admin keys also `namespace:<ns>` and `all`.
 * Member keys get FORBIDDEN for admin channels whatever the namespace named, so the answer says
 * nothing about which namespaces exist. Stream existence is checked later, under RLS.
 */
export function resolveChannel(raw: string, principal: Principal): ChannelSpec {
  const admin = principal.role === 'admin';
  if (raw === 'namespace') return { kind: 'namespace', namespace: principal.namespace };
  if (raw === 'all') {
    if (!admin) throw forbiddenChannel();
    return { kind: 'all' };
  }
  const colon = raw.indexOf(':');
  if (colon <= 0) throw invalidChannel(raw);
  const prefix = raw.slice(0, colon);
  const value = raw.slice(colon + 1);
  if (value.length === 0 || value.length > MAX_ID || /[\u0000-\u001f]/.test(value)) throw invalidChannel(raw);
  switch (prefix) {
    case 'namespace':
      if (!admin) throw forbiddenChannel();
      if (!NAMESPACE.test(value)) throw invalidChannel(raw);
      return { kind: 'namespace', namespace: value };
    case 'stream':
      return admin ? { kind: 'stream', streamId: value } : { kind: 'stream', streamId: value, namespace: principal.namespace };
    case 'type':
      return { kind: 'type', streamType: value, namespace: principal.namespace };
    default:
      throw invalidChannel(raw);
  }
}

export function channelMatches(spec: ChannelSpec, e: ChannelEvent): boolean {
  switch (spec.kind) {
    case 'all':
      return true;
    case 'namespace':
      return e.namespace === spec.namespace;
    case 'stream':
      return e.streamId === spec.streamId && (spec.namespace === undefined || e.namespace === spec.namespace);
    case 'type':
      return e.streamType === spec.streamType && e.namespace === spec.namespace;
    default: {
      const never: never = spec;
      return never;
    }
  }
}

/** Bounded label for metrics: stream ids would explode cardinality, so they collapse to `stream:*`. */
export function channelMetricLabel(spec: ChannelSpec): { namespace: string; channel: string } {
  switch (spec.kind) {
    case 'all':
      return { namespace: '*', channel: 'all' };
    case 'namespace':
      return { namespace: spec.namespace, channel: 'namespace' };
    case 'stream':
      return { namespace: spec.namespace ?? '*', channel: 'stream:*' };
    case 'type':
      // The stream type is whatever a member typed: as a label it would grow the series without bound.
      return { namespace: spec.namespace, channel: 'type:*' };
    default: {
      const never: never = spec;
      return never;
    }
  }
}
