import { Inject, Logger } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { CAVE_CONFIG, CaveConfig } from '@cave/config';
import { CommandRunner, Database } from '@cave/event-store';
import { WebhookReplayedError } from '@cave/webhooks';
import { apiKeyStreamId, KEY_ROTATED, KeyRotatedData } from '../../contracts/api-key.events';
import { projectAppended } from '../api-key-events';
import { apiKeyStream } from '../api-key.stream';
import { ApplyPeerRotationCommand, PeerRotationReceipt } from './apply-peer-rotation.command';

export const PEER_ACTOR = 'system:peer-webhook';

/**
 * Remembers the webhook id and applies the rotation in one cave_admin transaction: a replay (on any
 * instance, after any restart) hits the primary key of `webhook_receipts`, and a failed apply does
 * not burn the id. Receipts older than twice the tolerance are pruned: such a replay is stale anyway.
 */
@CommandHandler(ApplyPeerRotationCommand)
export class ApplyPeerRotationHandler implements ICommandHandler<ApplyPeerRotationCommand, PeerRotationReceipt> {
  private readonly logger = new Logger('Keys');

  constructor(
    @Inject(CAVE_CONFIG) private readonly config: CaveConfig,
    private readonly db: Database,
    private readonly runner: CommandRunner,
  ) {}

  async execute(cmd: ApplyPeerRotationCommand): Promise<PeerRotationReceipt> {
    const r = cmd.rotation;
    const receipt = await this.db.asAdmin(async (client) => {
      await client.query(`delete from webhook_receipts where signed_at < now() - $1 * interval '1 second'`, [2 * this.config.webhooks.toleranceSeconds]);
      const fresh = await client.query(`insert into webhook_receipts (webhook_id, signed_at) values ($1, $2) on conflict do nothing returning webhook_id`, [
        r.webhookId,
        cmd.signedAt,
      ]);
      if (fresh.rowCount === 0) throw new WebhookReplayedError(r.webhookId);
      // Only an active, not yet rotated key has anything to retire; the row lock orders concurrent receipts.
      const { rows } = await client.query<{ namespace: string }>(
        'select namespace from api_keys where id = $1 and revoked_at is null and expires_at is null for update',
        [r.keyId],
      );
      if (rows.length === 0) return { webhookId: r.webhookId, keyId: r.keyId, applied: false, revokedAt: null };
      const { events, append } = await this.runner.run(apiKeyStream, {
        streamId: apiKeyStreamId(r.keyId),
        command: { type: 'apply_peer_rotation', data: { keyId: r.keyId, newKeyId: r.newKeyId, revokesAt: r.revokedAt, webhookId: r.webhookId, now: new Date() } },
        meta: { actor: PEER_ACTOR, namespace: rows[0].namespace, role: 'admin', correlationId: cmd.correlationId, channel: 'http' },
        transaction: 'admin',
        client,
      });
      await projectAppended(client, events, append, PEER_ACTOR);
      const rotated = events.find((e) => e.type === KEY_ROTATED)?.data as KeyRotatedData | undefined;
      return { webhookId: r.webhookId, keyId: r.keyId, applied: rotated !== undefined, revokedAt: rotated?.revokesAt ?? null };
    });
    this.logger.log(`peer rotation webhook ${r.webhookId} for key ${r.keyId}: ${receipt.applied ? `applied, revoked at ${receipt.revokedAt}` : 'no local key to retire'}`);
    return receipt;
  }
}
