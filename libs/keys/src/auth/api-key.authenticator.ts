import { Injectable } from '@nestjs/common';
import { Database } from '@cave/event-store';
import type { Principal } from '@cave/kernel';
import { hashApiKey, isWellFormedApiKey } from './api-key-secret';

/** Named: each pooled connection parses and plans the hottest query of the system once (ADR 0005). */
const AUTHENTICATE = { name: 'cave_authenticate_api_key_v1', text: 'select key_id, namespace, role from cave_authenticate_api_key($1)' };

/**
 * Resolves a bearer token to its principal. Used by the HTTP guard and by transports that
 * authenticate outside Nest's guard pipeline (the Socket.IO handshake).
 *
 * No cache on purpose: one indexed lookup per call, so a revoked key fails on its very next use.
 * The lookup runs as `cave_app` through a narrow SECURITY DEFINER function (ADR 0005). Concurrent lookups
 * share a round trip (`Database.lookups`); each is still sent after its request arrived, so it sees every
 * revocation committed before that.
 */
@Injectable()
export class ApiKeyAuthenticator {
  constructor(private readonly db: Database) {}

  /** The principal of an active key, or undefined for a malformed, unknown or revoked one. */
  async authenticate(token: string): Promise<Principal | undefined> {
    if (typeof token !== 'string' || !isWellFormedApiKey(token)) return undefined;
    const { rows } = await this.db.lookups.query<{ key_id: string; namespace: string; role: Principal['role'] }>(AUTHENTICATE, [hashApiKey(token)]);
    if (rows.length === 0) return undefined;
    return { keyId: rows[0].key_id, namespace: rows[0].namespace, role: rows[0].role };
  }
}
