import type { InlineProjection } from '@cave/event-store';
import { ApiKeyEvent, KEY_ISSUED, KEY_REVOKED, KEY_ROTATED } from '../contracts/api-key.events';
import { ApiKeyAlreadyExistsError } from '../domain/api-key.errors';

/**
 * Inline projection into `api_keys`: it runs in the append's own statement, so the read model and the
 * stream commit (or roll back) together. The stream version guard makes applying an event twice a no-op.
 * Nothing is read back (`returning id` only satisfies the store's contract).
 */
export function apiKeyProjection(event: ApiKeyEvent, actor: string): InlineProjection<void> {
  switch (event.type) {
    case KEY_ISSUED: {
      const d = event.data;
      return {
        text: `insert into api_keys (id, namespace, name, role, prefix, secret_sha256, created_at, created_by, version)
               select $1::uuid, $2::text, $3::text, $4::text, $5::text, $6::text, $7::timestamptz, $8::text, a.stream_version
               from appended a where not a.replayed
               on conflict (id) do nothing
               returning id`,
        values: [d.keyId, d.namespace, d.name, d.role, d.prefix, d.secretSha256, d.issuedAt, actor],
        toRow: () => undefined,
        // Two active keys with one secret would make authentication ambiguous.
        violations: { api_keys_active_secret: () => new ApiKeyAlreadyExistsError(d.keyId) },
      };
    }
    case KEY_REVOKED:
      return {
        text: `update api_keys k set revoked_at = $2::timestamptz, version = a.stream_version
               from appended a
               where k.id = $1::uuid and k.version < a.stream_version and not a.replayed
               returning k.id`,
        values: [event.data.keyId, event.data.revokedAt],
        toRow: () => undefined,
      };
    case KEY_ROTATED:
      // Only the admin role may set expires_at (rotation and peer rotations run as cave_admin).
      return {
        text: `update api_keys k set expires_at = $2::timestamptz, version = a.stream_version
               from appended a
               where k.id = $1::uuid and k.version < a.stream_version and not a.replayed
               returning k.id`,
        values: [event.data.keyId, event.data.revokesAt],
        toRow: () => undefined,
      };
    default: {
      const unknown: never = event;
      throw new Error(`api_keys projection cannot apply ${JSON.stringify(unknown)}`);
    }
  }
}
