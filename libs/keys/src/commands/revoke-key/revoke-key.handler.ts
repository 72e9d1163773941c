import { Logger } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { CommandRunner, Database } from '@cave/event-store';
import { apiKeyStreamId } from '../../contracts/api-key.events';
import { ApiKeyNotFoundError } from '../../domain/api-key.errors';
import { apiKeyProjection } from '../../projections/api-keys.write';
import { API_KEY_RETRIES, apiKeyStream } from '../api-key.stream';
import { RevokeKeyCommand } from './revoke-key.command';

/** Revocation runs in the key's tenant transaction (members revoke their own namespace's keys). */
@CommandHandler(RevokeKeyCommand)
export class RevokeKeyHandler implements ICommandHandler<RevokeKeyCommand, void> {
  private readonly logger = new Logger('Keys');

  constructor(
    private readonly db: Database,
    private readonly runner: CommandRunner,
  ) {}

  async execute(cmd: RevokeKeyCommand): Promise<void> {
    const namespace = await this.namespaceOf(cmd);
    const { events } = await this.runner.run(apiKeyStream, {
      streamId: apiKeyStreamId(cmd.keyId),
      command: { type: 'revoke_key', data: { keyId: cmd.keyId, requestedBy: { keyId: cmd.meta.actor, role: cmd.meta.role }, now: new Date() } },
      meta: cmd.meta,
      namespace,
      retries: API_KEY_RETRIES,
      project: (event) => apiKeyProjection(event, cmd.meta.actor),
    });
    if (events.length > 0) this.logger.log(`API key ${cmd.keyId} revoked: namespace ${namespace}, by ${cmd.meta.actor}`);
  }

  /**
   * A member's command runs in its own namespace, where RLS hides every other tenant's key (404).
   * Only an admin needs the key's namespace looked up across tenants, as cave_admin.
   */
  private async namespaceOf(cmd: RevokeKeyCommand): Promise<string> {
    if (cmd.meta.role !== 'admin') return cmd.meta.namespace;
    const rows = await this.db.asAdmin(async (c) => (await c.query<{ namespace: string }>('select namespace from api_keys where id = $1', [cmd.keyId])).rows);
    if (rows.length === 0) throw new ApiKeyNotFoundError(cmd.keyId);
    return rows[0].namespace;
  }
}
