import type { Principal } from '@cave/kernel';

/**
 * Resolves an API key to its principal (undefined = unknown, expired or revoked). The keys context
 * provides it; the composition root binds it to this token. Called on every Socket.IO connection
 * and reconnection, and again for open sockets after a key event (revocation, rotation).
 */
export interface RealtimeAuthenticator {
  authenticate(token: string): Promise<Principal | undefined>;
}

export const REALTIME_AUTHENTICATOR = Symbol('REALTIME_AUTHENTICATOR');

/** Event types after which open sockets must prove their key again. */
export const KEY_INVALIDATING_EVENTS = new Set(['key_revoked', 'key_rotated']);
