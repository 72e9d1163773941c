import { PEER_CERTIFICATE_DENIED, PEER_CERTIFICATE_UNDENIED, PeerCertificateDeniedData, PeerCertificateUndeniedData } from '../contracts/peer.events';
import { DenyEntryInvalidError, DenyEntryNotFoundError } from './peers.errors';

export type DenyListEvent =
  | { type: typeof PEER_CERTIFICATE_DENIED; data: PeerCertificateDeniedData }
  | { type: typeof PEER_CERTIFICATE_UNDENIED; data: PeerCertificateUndeniedData };

export type DenyListCommand =
  | { type: 'deny'; data: { entry: string; reason: string; now: Date } }
  | { type: 'undeny'; data: { entry: string; now: Date } };

/** Entries currently denied. */
export type DenyListState = ReadonlySet<string>;

const SERIAL = /^[0-9a-f]{1,64}$/;
const NODE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * `serial:<hex>` or `node:<uuid>`, normalised (lower case, serial without leading zeros, as Node prints
 * serials upper-case and OpenSSL may drop or add a leading zero byte).
 */
export function parseDenyEntry(input: { serial?: string; nodeId?: string }): string {
  if ((input.serial === undefined) === (input.nodeId === undefined)) throw new DenyEntryInvalidError('give exactly one of serial or nodeId');
  if (input.serial !== undefined) {
    const s = input.serial.replace(/:/g, '').toLowerCase().replace(/^0+(?=.)/, '');
    if (!SERIAL.test(s)) throw new DenyEntryInvalidError('serial must be a certificate serial in hex');
    return `serial:${s}`;
  }
  const n = input.nodeId!.toLowerCase();
  if (!NODE.test(n)) throw new DenyEntryInvalidError('nodeId must be the UUID of a urn:cave:node:<id> name');
  return `node:${n}`;
}

export function serialEntry(serialHex: string): string {
  return `serial:${serialHex.toLowerCase().replace(/^0+(?=.)/, '')}`;
}

export function decideDenyList(command: DenyListCommand, state: DenyListState): DenyListEvent[] {
  switch (command.type) {
    case 'deny':
      // Denying twice is a no-op: a retried POST changes nothing.
      if (state.has(command.data.entry)) return [];
      return [{ type: PEER_CERTIFICATE_DENIED, data: { entry: command.data.entry, reason: command.data.reason, deniedAt: command.data.now.toISOString() } }];
    case 'undeny':
      if (!state.has(command.data.entry)) throw new DenyEntryNotFoundError(command.data.entry);
      return [{ type: PEER_CERTIFICATE_UNDENIED, data: { entry: command.data.entry, undeniedAt: command.data.now.toISOString() } }];
    default: {
      const unknown: never = command;
      throw new Error(`unknown command ${JSON.stringify(unknown)}`);
    }
  }
}

export function evolveDenyList(state: DenyListState, event: DenyListEvent): DenyListState {
  const next = new Set(state);
  switch (event.type) {
    case PEER_CERTIFICATE_DENIED:
      next.add(event.data.entry);
      return next;
    case PEER_CERTIFICATE_UNDENIED:
      next.delete(event.data.entry);
      return next;
    default: {
      const unknown: never = event;
      throw new Error(`unknown event ${JSON.stringify(unknown)}`);
    }
  }
}

export const denyListDecider = { initialState: new Set<string>() as DenyListState, decide: decideDenyList, evolve: evolveDenyList };
