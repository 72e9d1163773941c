import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { CommandRunner } from '@cave/event-store';
import { apiKeyPrefix, generateApiKey, hashApiKey } from '../../auth/api-key-secret';
import { apiKeyStreamId } from '../../contracts/api-key.events';
import { apiKeyProjection } from '../../projections/api-keys.write';
import { API_KEY_RETRIES, apiKeyStream } from '../api-key.stream';
import { IssuedKey, IssueKeyCommand } from './issue-key.command';

/**
 * Issuing runs as `cave_admin`: only admins (and the bootstrap) issue keys, and the runtime role has no
 * INSERT on `api_keys`, so nothing it runs can mint a key (an admin key is an admin over every namespace).
 */
@CommandHandler(IssueKeyCommand)
export class IssueKeyHandler implements ICommandHandler<IssueKeyCommand, IssuedKey> {
  private readonly logger = new Logger('Keys');

  constructor(private readonly runner: CommandRunner) {}

  async execute(cmd: IssueKeyCommand): Promise<IssuedKey> {
    const key = cmd.presetKey ?? generateApiKey();
    const keyId = randomUUID();
    const { events } = await this.runner.run(apiKeyStream, {
      streamId: apiKeyStreamId(keyId),
      command: {
        type: 'issue_key',
        data: { keyId, namespace: cmd.namespace, name: cmd.name, role: cmd.role, prefix: apiKeyPrefix(key), secretSha256: hashApiKey(key), now: new Date() },
      },
      meta: cmd.meta,
      namespace: cmd.namespace,
      transaction: 'admin',
      retries: API_KEY_RETRIES,
      project: (event) => apiKeyProjection(event, cmd.meta.actor),
    });
    const issued = events[0].data as { prefix: string; issuedAt: string };
    // Prefix only: enough to recognise the key, useless to use it.
    this.logger.log(`API key ${keyId} (${issued.prefix}...) issued: namespace ${cmd.namespace}, role ${cmd.role}, by ${cmd.meta.actor}`);
    return { id: keyId, key, prefix: issued.prefix, namespace: cmd.namespace, name: cmd.name, role: cmd.role, createdAt: issued.issuedAt };
  }
}
