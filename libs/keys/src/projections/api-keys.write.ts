import { EVENT, InlineProjection, param } from '@cave/event-store';
import { ApiKeyEvent, KEY_ISSUED, KEY_REVOKED, KEY_ROTATED } from '../contracts/api-key.events';
import { ApiKeyAlreadyExistsError } from '../domain/api-key.errors';

/**
 * Inline projection into `api_keys`: it runs in the append's own statement, so the read model and the
 * stream commit (or roll back) together. The stream version guard makes applying an event twice a no-op.
 * Nothing is read back.
 */
export function apiKeyProjection(event: ApiKeyEvent, actor: string): InlineProjection<void> {
  switch (event.type) {
    case KEY_ISSUED: {
      const d = event.data;
      return {
        write: {
          insert: 'api_keys',
          columns: {
            id: param(d.keyId, 'uuid'),
            namespace: param(d.namespace, 'text'),
            name: param(d.name, 'text'),
            role: param(d.role, 'text'),
            prefix: param(d.prefix, 'text'),
            secret_sha256: param(d.secretSha256, 'text'),
            created_at: param(d.issuedAt, 'timestamptz'),
            created_by: param(actor, 'text'),
            version: EVENT.streamVersion,
          },
          key: 'id',
          returning: ['id'],
        },
        toRow: () => undefined,
        // Two active keys with one secret would make authentication ambiguous.
        violations: { api_keys_active_secret: () => new ApiKeyAlreadyExistsError(d.keyId) },
      };
    }
    case KEY_REVOKED:
      return {
        write: {
          update: 'api_keys',
          key: { column: 'id', value: param(event.data.keyId, 'uuid') },
          set: { revoked_at: param(event.data.revokedAt, 'timestamptz'), version: EVENT.streamVersion },
          versionColumn: 'version',
          returning: ['id'],
        },
        toRow: () => undefined,
      };
    case KEY_ROTATED:
      // Only the admin role may set expires_at (rotation and peer rotations run as cave_admin).
      return {
        write: {
          update: 'api_keys',
          key: { column: 'id', value: param(event.data.keyId, 'uuid') },
          set: { expires_at: param(event.data.revokesAt, 'timestamptz'), version: EVENT.streamVersion },
          versionColumn: 'version',
          returning: ['id'],
        },
        toRow: () => undefined,
      };
    default: {
      const unknown: never = event;
      throw new Error(`api_keys projection cannot apply ${JSON.stringify(unknown)}`);
    }
  }
}
