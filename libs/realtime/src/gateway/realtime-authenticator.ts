import type { RecordedEvent } from '@cave/event-store';
import type { Principal } from '@cave/kernel';

/**
 * Resolves an API key to its principal (undefined = unknown, expired or revoked). The keys context
 * provides it; the composition root binds it to this token. Called on every Socket.IO connection
 * and reconnection, and again for open sockets after a key event (revocation, rotation).
 */
export interface RealtimeAuthenticator {
  authenticate(token: string): Promise<Principal | undefined>;
  /**
   * Whether a committed event may invalidate keys of open sockets: undefined when it cannot (not a key
   * event), otherwise the key ids it names, whose sockets are dropped without a lookup (empty: every open
   * socket proves its key again). The keys context knows its events; realtime only asks.
   */
  invalidatedKeys?(event: RecordedEvent): readonly string[] | undefined;
}

export const REALTIME_AUTHENTICATOR = Symbol('REALTIME_AUTHENTICATOR');
