import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { apiKeyPrefix, generateApiKey, hashApiKey } from '../../auth/api-key-secret';
import { ApiKeyRepository } from '../api-key.repository';
import { IssuedKey, IssueKeyCommand } from './issue-key.command';

@CommandHandler(IssueKeyCommand)
export class IssueKeyHandler implements ICommandHandler<IssueKeyCommand, IssuedKey> {
  private readonly logger = new Logger('Keys');

  constructor(private readonly repository: ApiKeyRepository) {}

  async execute(cmd: IssueKeyCommand): Promise<IssuedKey> {
    const key = cmd.presetKey ?? generateApiKey();
    const keyId = randomUUID();
    const { events } = await this.repository.execute(
      cmd.namespace,
      keyId,
      {
        type: 'issue_key',
        data: { keyId, namespace: cmd.namespace, name: cmd.name, role: cmd.role, prefix: apiKeyPrefix(key), secretSha256: hashApiKey(key), now: new Date() },
      },
      cmd.meta,
    );
    const issued = events[0].data as { prefix: string; issuedAt: string };
    // Prefix only: enough to recognise the key, useless to use it.
    this.logger.log(`API key ${keyId} (${issued.prefix}...) issued: namespace ${cmd.namespace}, role ${cmd.role}, by ${cmd.meta.actor}`);
    return { id: keyId, key, prefix: issued.prefix, namespace: cmd.namespace, name: cmd.name, role: cmd.role, createdAt: issued.issuedAt };
  }
}
