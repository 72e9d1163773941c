import { DatabaseUrls } from './database';
import { EmbeddedPostgresHandle, startEmbeddedPostgres } from './embedded-postgres.launcher';
import { Migrations, runMigrations } from './migrator';
import { provisionRoleLogins, roleUrl } from './role-credentials';
import { inspectServer, ServerFacts } from './server-check';

export interface PreparedDatabase extends DatabaseUrls {
  ownerUrl: string;
  server: ServerFacts;
  appliedMigrations: string[];
  /** Set when CAVE started its own server; stop it on shutdown. */
  embedded?: EmbeddedPostgresHandle;
}

export interface PrepareOptions {
  databaseUrl?: string;
  dataDir: string;
  log: (level: 'info' | 'warn' | 'debug', message: string) => void;
  /** The schema to migrate to (the composition root's list). */
  migrations: Migrations;
}

/**
 * Boot sequence for the database: embedded server when no URL is given, version and wal_level
 * checks, migrations, runtime role logins. Returns the URLs of the runtime roles.
 */
export async function prepareDatabase(opts: PrepareOptions): Promise<PreparedDatabase> {
  let embedded: EmbeddedPostgresHandle | undefined;
  let ownerUrl = opts.databaseUrl;
  if (!ownerUrl) {
    embedded = await startEmbeddedPostgres({ dataDir: opts.dataDir, log: opts.log });
    ownerUrl = embedded.url;
  }
  try {
    const server = await inspectServer(ownerUrl);
    if (server.walLevel !== 'logical') {
      opts.log(
        'warn',
        `wal_level is "${server.walLevel}", not "logical": realtime delivery over logical replication cannot run. ` +
          `Set wal_level = logical in postgresql.conf and restart PostgreSQL.`,
      );
    }
    const appliedMigrations = await runMigrations(ownerUrl, opts.migrations);
    await provisionRoleLogins(ownerUrl);
    return {
      ownerUrl,
      appUrl: roleUrl(ownerUrl, 'cave_app'),
      adminUrl: roleUrl(ownerUrl, 'cave_admin'),
      replicationUrl: roleUrl(ownerUrl, 'cave_replicator'),
      server,
      appliedMigrations,
      embedded,
    };
  } catch (e) {
    await embedded?.stop();
    throw e;
  }
}
