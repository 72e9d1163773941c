import { randomUUID } from 'node:crypto';
import { Inject, Logger } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import type { PoolClient } from 'pg';
import { CAVE_CONFIG, CaveConfig } from '@cave/config';
import { CommandRunner, ConcurrencyError, Database } from '@cave/event-store';
import { signCaveHeader } from '@cave/webhooks';
import { apiKeyPrefix, generateApiKey, hashApiKey } from '../../auth/api-key-secret';
import { apiKeyStreamId, KeyRotatedData } from '../../contracts/api-key.events';
import { rotationWebhookBody } from '../../contracts/rotation-webhook';
import { ApiKeyNotFoundError } from '../../domain/api-key.errors';
import { projectAppended } from '../api-key-events';
import { apiKeyStream } from '../api-key.stream';
import { RotateKeyCommand, RotationOutcome } from './rotate-key.command';

interface Target {
  namespace: string;
  name: string;
  role: 'member' | 'admin';
}

/**
 * Issues the new key and rotates the old one in one cave_admin transaction (the runtime role may not
 * insert keys nor set `expires_at`): both streams and both rows commit together or not at all. The
 * `key_rotated` event is the outbox entry the webhooks context delivers (ADR 0010).
 */
@CommandHandler(RotateKeyCommand)
export class RotateKeyHandler implements ICommandHandler<RotateKeyCommand, RotationOutcome> {
  private readonly logger = new Logger('Keys');

  constructor(
    @Inject(CAVE_CONFIG) private readonly config: CaveConfig,
    private readonly db: Database,
    private readonly runner: CommandRunner,
  ) {}

  async execute(cmd: RotateKeyCommand): Promise<RotationOutcome> {
    const keyId = cmd.keyId ?? cmd.meta.actor;
    const target = await this.targetOf(cmd, keyId);
    const key = generateApiKey();
    const newKeyId = randomUUID();
    const webhookId = randomUUID();
    const now = new Date();
    for (let attempt = 0; ; attempt++) {
      try {
        const rotated = await this.db.asAdmin((client) => this.write(client, cmd, keyId, target, { key, newKeyId, webhookId, now }));
        const payload = rotationWebhookBody(rotated);
        this.logger.log(`API key ${keyId} rotated to ${newKeyId} (${apiKeyPrefix(key)}...), revoked at ${rotated.revokesAt}, by ${cmd.meta.actor}`);
        return {
          newKey: { id: newKeyId, key, prefix: apiKeyPrefix(key) },
          revokedKeyId: keyId,
          revokedAt: rotated.revokesAt,
          webhook: { id: webhookId, payload, signature: this.sign(payload) },
        };
      } catch (e) {
        // A concurrent rotation or revocation: decide again against what it wrote (usually KEYS.NOT_ROTATABLE).
        if (e instanceof ConcurrencyError && attempt < 2) continue;
        throw e;
      }
    }
  }

  private async write(client: PoolClient, cmd: RotateKeyCommand, keyId: string, target: Target, n: { key: string; newKeyId: string; webhookId: string; now: Date }): Promise<KeyRotatedData> {
    const common = { meta: cmd.meta, namespace: target.namespace, transaction: 'admin' as const, client };
    const old = await this.runner.run(apiKeyStream, {
        ...common,
        streamId: apiKeyStreamId(keyId),
        command: {
          type: 'rotate_key',
          data: {
            keyId,
            newKeyId: n.newKeyId,
            newKeyPrefix: apiKeyPrefix(n.key),
            graceSeconds: cmd.graceSeconds,
            webhookId: n.webhookId,
            requestedBy: { keyId: cmd.meta.actor, role: cmd.meta.role },
            now: n.now,
          },
        },
    });
    await projectAppended(client, old.events, old.append, cmd.meta.actor);
    const issued = await this.runner.run(apiKeyStream, {
        ...common,
        streamId: apiKeyStreamId(n.newKeyId),
        newStream: true,
        command: {
          type: 'issue_key',
          data: {
            keyId: n.newKeyId,
            namespace: target.namespace,
            name: target.name,
            role: target.role,
            prefix: apiKeyPrefix(n.key),
            secretSha256: hashApiKey(n.key),
            now: n.now,
            rotatedFrom: keyId,
          },
        },
    });
    await projectAppended(client, issued.events, issued.append, cmd.meta.actor);
    return old.events[0].data as KeyRotatedData;
  }

  /**
   * The key's namespace and name, read with the caller's rights: a member naming a key of another
   * namespace gets 404 (RLS hides it), never a 403 that would confirm it exists.
   */
  private async targetOf(cmd: RotateKeyCommand, keyId: string): Promise<Target> {
    const read = async (c: PoolClient) => (await c.query<Target>('select namespace, name, role from api_keys where id = $1', [keyId])).rows;
    const rows = cmd.meta.role === 'admin' ? await this.db.asAdmin(read) : await this.db.tenant(cmd.meta.namespace, read);
    if (rows.length === 0) throw new ApiKeyNotFoundError(keyId);
    return rows[0];
  }

  private sign(payload: string): string | null {
    const w = this.config.webhooks;
    if (w.rotationSecret === undefined) return null;
    const secrets = [w.rotationSecret, ...(w.rotationPreviousSecret ? [w.rotationPreviousSecret] : [])];
    return signCaveHeader(secrets, Math.floor(Date.now() / 1000), payload);
  }
}
