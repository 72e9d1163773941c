import type { PoolClient } from 'pg';
import { ApiKeyEvent, KEY_ISSUED, KEY_REVOKED, KEY_ROTATED } from '../contracts/api-key.events';
import { ApiKeyAlreadyExistsError } from '../domain/api-key.errors';

/**
 * Inline projection into `api_keys`: called with the transaction that appended the event, so the
 * read model and the stream commit (or roll back) together. `version` makes a replay a no-op.
 */
export async function projectApiKeyEvent(client: PoolClient, event: ApiKeyEvent, streamVersion: number, actor?: string): Promise<void> {
  switch (event.type) {
    case KEY_ISSUED: {
      const d = event.data;
      try {
        await client.query(
          `insert into api_keys (id, namespace, name, role, prefix, secret_sha256, created_at, created_by, version)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9) on conflict (id) do nothing`,
          [d.keyId, d.namespace, d.name, d.role, d.prefix, d.secretSha256, d.issuedAt, actor ?? null, streamVersion],
        );
      } catch (e) {
        // Two active keys with one secret would make authentication ambiguous.
        if ((e as { constraint?: string }).constraint === 'api_keys_active_secret') throw new ApiKeyAlreadyExistsError(d.keyId);
        throw e;
      }
      return;
    }
    case KEY_REVOKED:
      await client.query(
        `update api_keys set revoked_at = $2, version = $3 where id = $1 and version < $3`,
        [event.data.keyId, event.data.revokedAt, streamVersion],
      );
      return;
    case KEY_ROTATED:
      // Only the admin role may set expires_at (rotation and peer rotations run as cave_admin).
      await client.query(`update api_keys set expires_at = $2, version = $3 where id = $1 and version < $3`, [
        event.data.keyId,
        event.data.revokesAt,
        streamVersion,
      ]);
      return;
    default: {
      const unknown: never = event;
      throw new Error(`api_keys projection cannot apply ${JSON.stringify(unknown)}`);
    }
  }
}
