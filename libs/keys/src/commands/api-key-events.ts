import type { PoolClient } from 'pg';
import type { AppendResult } from '@cave/event-store';
import { ApiKeyEvent, KEY_ISSUED, KEY_REVOKED, KEY_ROTATED } from '../contracts/api-key.events';
import { ApiKeyAlreadyExistsError } from '../domain/api-key.errors';

/**
 * `api_keys` for appends of more than one event (a rotation without grace decides `key_rotated` and
 * `key_revoked` together), which the runner's one-event inline projection does not cover. Runs in the
 * command's own admin transaction, at each event's stream version, idempotent like the inline form.
 */
export async function projectAppended(client: PoolClient, events: ApiKeyEvent[], append: AppendResult | undefined, actor: string): Promise<void> {
  if (!append || append.replayed) return;
  const first = append.nextExpectedVersion - events.length + 1;
  for (const [i, e] of events.entries()) {
    const v = first + i;
    switch (e.type) {
      case KEY_ISSUED: {
        const d = e.data;
        try {
          await client.query(
            `insert into api_keys (id, namespace, name, role, prefix, secret_sha256, created_at, created_by, version)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9) on conflict (id) do nothing`,
            [d.keyId, d.namespace, d.name, d.role, d.prefix, d.secretSha256, d.issuedAt, actor, v],
          );
        } catch (err) {
          if ((err as { constraint?: string }).constraint === 'api_keys_active_secret') throw new ApiKeyAlreadyExistsError(d.keyId);
          throw err;
        }
        break;
      }
      case KEY_REVOKED:
        await client.query(`update api_keys set revoked_at = $2, version = $3 where id = $1 and version < $3`, [e.data.keyId, e.data.revokedAt, v]);
        break;
      case KEY_ROTATED:
        await client.query(`update api_keys set expires_at = $2, version = $3 where id = $1 and version < $3`, [e.data.keyId, e.data.revokesAt, v]);
        break;
      default: {
        const unknown: never = e;
        throw new Error(`api_keys cannot apply ${JSON.stringify(unknown)}`);
      }
    }
  }
}
