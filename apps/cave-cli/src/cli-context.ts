import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Injectable } from '@nestjs/common';
import pino, { Logger } from 'pino';
import { auditProjectionFor } from '@cave/audit';
import { CaveConfig, loadConfig } from '@cave/config';
import { Database, EventStore, PreparedDatabase, prepareDatabase } from '@cave/event-store';
import { ProjectionAdminService, ProjectionRegistry, StreamFoldRegistry, StreamStateService } from '@cave/projections';
import { SANDBOX_STREAM_TYPE, sandboxViewFold } from '@cave/sandbox';
import { MIGRATIONS } from '@cave/migrations';

export interface CliConnection {
  prepared: PreparedDatabase;
  db: Database;
  store: EventStore;
  projections: ProjectionAdminService;
  streams: StreamStateService;
}

/**
 * The database side of the CLI, opened on first use (so `--help` needs no database) and closed
 * once by `main`. Connects with DATABASE_URL, or to the embedded server of CAVE_DATA_DIR: attached
 * when a daemon already runs it (never stopped under the daemon's feet), started otherwise.
 */
@Injectable()
export class CliContext {
  readonly config: CaveConfig = loadConfig();
  readonly log: Logger = pino({ level: this.config.logLevel, base: { component: 'cli' } }, pino.destination(2));
  /** Folds the CLI knows (the daemon's contexts register theirs); other streams are shown as raw events. */
  readonly folds = new StreamFoldRegistry().register(SANDBOX_STREAM_TYPE, sandboxViewFold);
  private connection?: Promise<CliConnection>;

  connect(): Promise<CliConnection> {
    this.connection ??= this.open();
    return this.connection;
  }

  async close(): Promise<void> {
    if (!this.connection) return;
    const c = await this.connection.catch(() => undefined);
    if (!c) return;
    await c.db.close();
    await c.prepared.embedded?.stop();
  }

  /**
   * Projections whose rules the CLI must apply itself (it never runs them): the audit log is
   * append-only, so `projections rebuild audit` is refused here instead of failing on the daemon.
   */
  private knownProjections(): ProjectionRegistry {
    return new ProjectionRegistry().register(auditProjectionFor(this.config.audit));
  }

  private async open(): Promise<CliConnection> {
    const databaseUrl = this.config.databaseUrl ?? runningEmbeddedUrl(this.config.dataDir);
    const prepared = await prepareDatabase({ databaseUrl, dataDir: this.config.dataDir, log: (l, m) => this.log[l](m), migrations: MIGRATIONS });
    const db = new Database(prepared, 4, { application_name: 'cave-cli' });
    const store = new EventStore(db);
    return {
      prepared,
      db,
      store,
      projections: new ProjectionAdminService(db, store, this.knownProjections()),
      streams: new StreamStateService(db, store, this.folds),
    };
  }
}

/** URL of the embedded server a daemon is running on `dataDir`, if any. */
function runningEmbeddedUrl(dataDir: string): string | undefined {
  const pidFile = join(dataDir, 'pg', 'postmaster.pid');
  const secret = join(dataDir, 'postgres-superuser.secret');
  if (!existsSync(pidFile) || !existsSync(secret)) return undefined;
  const lines = readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  try {
    process.kill(pid, 0);
  } catch {
    return undefined;
  }
  if (!Number.isInteger(port) || port <= 0) return undefined;
  const password = readFileSync(secret, 'utf8').trim();
  return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
}
