import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { Database, roleUrl } from '@cave/event-store';
import { SERVER_ENV, TEMPLATE_ENV, withDatabase } from './test-cluster';

export interface TestDatabase {
  name: string;
  /** Superuser / migration URL of this database. */
  ownerUrl: string;
  appUrl: string;
  adminUrl: string;
  replicationUrl: string;
  /** Runtime pools on this database; closed by `drop()`. */
  db: Database;
  drop(): Promise<void>;
}

/** A fresh database cloned from the migrated template: isolated state for one test file. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const server = process.env[SERVER_ENV];
  const template = process.env[TEMPLATE_ENV];
  if (!server || !template) throw new Error('test cluster not started: run tests through jest (globalSetup)');
  const name = `cave_t_${randomBytes(6).toString('hex')}`;
  await withServer(server, (c) => c.query(`create database ${name} template ${template}`));
  const ownerUrl = withDatabase(server, name);
  const urls = {
    appUrl: roleUrl(ownerUrl, 'cave_app'),
    adminUrl: roleUrl(ownerUrl, 'cave_admin'),
    replicationUrl: roleUrl(ownerUrl, 'cave_replicator'),
  };
  const db = new Database(urls, 10);
  return {
    name,
    ownerUrl,
    ...urls,
    db,
    drop: async () => {
      await db.close();
      await withServer(server, (c) => dropDatabase(c, name));
    },
  };
}

/**
 * Replication slots (realtime) pin a database: DROP DATABASE refuses while one exists. Terminate
 * every session including walsenders, drop the slots, then the database.
 */
export async function dropDatabase(c: Client, name: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    await c.query(`select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()`, [name]);
    try {
      await c.query(`select pg_drop_replication_slot(slot_name) from pg_replication_slots where database = $1`, [name]);
      await c.query(`drop database if exists ${name}`);
      return;
    } catch (e) {
      // A walsender that was just terminated may still hold its slot for a moment.
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

async function withServer<T>(url: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}
