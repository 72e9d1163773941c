import { Injectable } from '@nestjs/common';
import type { RecordedEvent } from '@cave/event-store';
import type { Principal } from '@cave/kernel';
import type { RealtimeAuthenticator } from '@cave/realtime';
import { KEY_REVOKED, KEY_ROTATED, KeyRevokedData } from '../contracts/api-key.events';
import { ApiKeyAuthenticator } from './api-key.authenticator';

/**
 * The keys context's side of realtime's authentication port: the handshake lookup, and which key events
 * invalidate open sockets. A revocation names its key (that socket is dropped without a lookup); a rotation
 * makes every socket prove its key again.
 */
@Injectable()
export class ApiKeyRealtimeAccess implements RealtimeAuthenticator {
  constructor(private readonly keys: ApiKeyAuthenticator) {}

  authenticate(token: string): Promise<Principal | undefined> {
    return this.keys.authenticate(token);
  }

  invalidatedKeys(event: RecordedEvent): readonly string[] | undefined {
    if (event.type === KEY_REVOKED) return [(event.data as KeyRevokedData).keyId];
    if (event.type === KEY_ROTATED) return [];
    return undefined;
  }
}
