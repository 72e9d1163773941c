import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { CAVE_CONFIG, CaveConfig } from '@cave/config';
import { Database } from '@cave/event-store';
import { systemCommandMeta } from '@cave/kernel';
import { apiKeyPrefix, hashApiKey } from '../auth/api-key-secret';
import { IssueKeyCommand } from '../commands/issue-key/issue-key.command';
import { SYSTEM_NAMESPACE } from '../contracts/api-key.events';

export const BOOTSTRAP_ACTOR = 'system:bootstrap';
/** Serialises bootstraps of daemons starting together on one database. */
const BOOTSTRAP_LOCK = `hashtext('cave:keys:bootstrap')`;

export type BootstrapOutcome = 'configured-key-present' | 'configured-key-issued' | 'configured-key-revoked' | 'first-key-issued' | 'keys-present';

/**
 * Makes sure an operator can always get in:
 * - `CAVE_BOOTSTRAP_ADMIN_KEY` set: that key is issued on the first start. Once revoked through the API it
 *   stays revoked on every later start (a warning says so): a revocation is a security decision that a
 *   restart must not undo. `CAVE_BOOTSTRAP_ADMIN_KEY_REISSUE=true` issues it again (a new key id, same
 *   secret), for an operator who locked themselves out.
 * - not set and no key at all: an admin key is created and printed once, as a single warn line.
 * Runs under a transaction-scoped advisory lock, so two daemons never create two keys.
 */
@Injectable()
export class KeysBootstrapService implements OnApplicationBootstrap {
  protected readonly logger = new Logger('KeysBootstrap');

  constructor(
    @Inject(CAVE_CONFIG) private readonly config: CaveConfig,
    private readonly db: Database,
    private readonly commands: CommandBus,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.ensureAdminAccess();
  }

  async ensureAdminAccess(): Promise<BootstrapOutcome> {
    const meta = systemCommandMeta(BOOTSTRAP_ACTOR, SYSTEM_NAMESPACE);
    const configured = this.config.bootstrapAdminKey;
    return this.db.asAdmin(async (c) => {
      await c.query(`select pg_advisory_xact_lock(${BOOTSTRAP_LOCK})`);
      if (configured !== undefined) {
        const { rows } = await c.query<{ role: string }>(
          'select role from api_keys where secret_sha256 = $1 and revoked_at is null',
          [hashApiKey(configured)],
        );
        if (rows.length > 0) {
          // A configured key that is not admin cannot happen through the API (keys are random); warn, don't guess.
          if (rows[0].role !== 'admin') this.logger.warn(`CAVE_BOOTSTRAP_ADMIN_KEY (${apiKeyPrefix(configured)}...) is active but not an admin key`);
          return 'configured-key-present';
        }
        const revoked = await c.query<{ id: string }>('select id from api_keys where secret_sha256 = $1 order by revoked_at desc limit 1', [hashApiKey(configured)]);
        if (revoked.rows.length > 0 && !this.config.bootstrapAdminKeyReissue) {
          this.logger.warn(
            `CAVE_BOOTSTRAP_ADMIN_KEY (${apiKeyPrefix(configured)}...) was revoked (key id ${revoked.rows[0].id}) and stays revoked. ` +
              'To issue it again set CAVE_BOOTSTRAP_ADMIN_KEY_REISSUE=true for one start; to retire it, unset CAVE_BOOTSTRAP_ADMIN_KEY.',
          );
          return 'configured-key-revoked';
        }
        await this.commands.execute(new IssueKeyCommand(SYSTEM_NAMESPACE, 'bootstrap (CAVE_BOOTSTRAP_ADMIN_KEY)', 'admin', meta, configured));
        this.logger.log(`Issued the admin key from CAVE_BOOTSTRAP_ADMIN_KEY (${apiKeyPrefix(configured)}...)`);
        return 'configured-key-issued';
      }
      const { rows } = await c.query<{ any: boolean }>('select exists (select 1 from api_keys) as any');
      if (rows[0].any) return 'keys-present';
      const issued = await this.commands.execute(new IssueKeyCommand(SYSTEM_NAMESPACE, 'first admin key', 'admin', meta));
      // Deliberately the one place a secret reaches a log: there is no other channel to hand it over.
      this.logger.warn(`No API keys existed: created admin key ${issued.key} (id ${issued.id}). It is shown only this once; store it now.`);
      return 'first-key-issued';
    });
  }
}
