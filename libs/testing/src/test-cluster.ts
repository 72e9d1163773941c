import { mkdtempSync, chmodSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { provisionRoleLogins, runMigrations, startEmbeddedPostgres } from '@cave/event-store';
import { dropDatabase, withDatabase } from './pg-admin';
import { MIGRATIONS } from '@cave/migrations';

export const TEMPLATE_ENV = 'CAVE_TEST_TEMPLATE_DB';
export const SERVER_ENV = 'CAVE_TEST_SERVER_URL';

/**
 * One PostgreSQL server per test run and one migrated template database; every test file clones
 * its own database from the template (see test-database.ts), so files run in parallel without
 * sharing state. CAVE_TEST_DATABASE_URL points the run at an existing server (e.g. the system
 * PostgreSQL 15) instead of the embedded one.
 */
export async function startTestCluster(): Promise<void> {
  let serverUrl = process.env.CAVE_TEST_DATABASE_URL;
  let stop = async () => undefined as void;
  if (!serverUrl) {
    // mkdtemp makes a 0700 directory the postgres OS user could not enter when we run as root.
    const dir = mkdtempSync(join(tmpdir(), 'cave-test-'));
    chmodSync(dir, 0o755);
    const pg = await startEmbeddedPostgres({ dataDir: dir, log: () => undefined, settings: {
        fsync: 'off',
        synchronous_commit: 'off',
        full_page_writes: 'off',
        // Every e2e app leads a realtime slot in its own database; files run in parallel.
        max_replication_slots: '64',
        max_wal_senders: '64',
      } });
    serverUrl = pg.url;
    stop = async () => {
      await pg.stop();
      rmSync(dir, { recursive: true, force: true });
    };
  }
  const template = `cave_tpl_${process.pid}_${Date.now().toString(36)}`;
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${template}`);
  await admin.end();
  const templateUrl = withDatabase(serverUrl, template);
  await runMigrations(templateUrl, MIGRATIONS);
  await provisionRoleLogins(templateUrl);
  process.env[SERVER_ENV] = serverUrl;
  process.env[TEMPLATE_ENV] = template;
  (globalThis as Record<string, unknown>).__caveTestCluster = {
    stop: async () => {
      const c = new Client({ connectionString: serverUrl });
      await c.connect();
      const { rows } = await c.query<{ datname: string }>(`select datname from pg_database where datname like 'cave_t\\_%' or datname = $1`, [template]);
      for (const r of rows) await dropDatabase(c, r.datname);
      await c.end();
      await stop();
    },
  };
}

