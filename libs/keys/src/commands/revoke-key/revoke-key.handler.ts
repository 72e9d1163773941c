import { Logger } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Database } from '@cave/event-store';
import { ApiKeyNotFoundError } from '../../domain/api-key.errors';
import { ApiKeyRepository } from '../api-key.repository';
import { RevokeKeyCommand } from './revoke-key.command';

@CommandHandler(RevokeKeyCommand)
export class RevokeKeyHandler implements ICommandHandler<RevokeKeyCommand, void> {
  private readonly logger = new Logger('Keys');

  constructor(
    private readonly db: Database,
    private readonly repository: ApiKeyRepository,
  ) {}

  async execute(cmd: RevokeKeyCommand): Promise<void> {
    const namespace = await this.namespaceOf(cmd);
    const { events } = await this.repository.execute(
      namespace,
      cmd.keyId,
      { type: 'revoke_key', data: { keyId: cmd.keyId, requestedBy: { keyId: cmd.principal.keyId, role: cmd.principal.role }, now: new Date() } },
      cmd.meta,
    );
    if (events.length > 0) this.logger.log(`API key ${cmd.keyId} revoked: namespace ${namespace}, by ${cmd.meta.actor}`);
  }

  /**
   * A member's command runs in its own namespace, where RLS hides every other tenant's key (404).
   * Only an admin needs the key's namespace looked up across tenants, as cave_admin.
   */
  private async namespaceOf(cmd: RevokeKeyCommand): Promise<string> {
    if (cmd.principal.role !== 'admin') return cmd.principal.namespace;
    const rows = await this.db.asAdmin(async (c) => (await c.query<{ namespace: string }>('select namespace from api_keys where id = $1', [cmd.keyId])).rows);
    if (rows.length === 0) throw new ApiKeyNotFoundError(cmd.keyId);
    return rows[0].namespace;
  }
}
