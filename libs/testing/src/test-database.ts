import { randomBytes } from 'node:crypto';
import { Database, roleUrl } from '@cave/event-store';
import { dropDatabase, withClient, withDatabase } from './pg-admin';
import { SERVER_ENV, TEMPLATE_ENV } from './test-cluster';

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
  await withClient(server, (c) => c.query(`create database ${name} template ${template}`));
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
      await withClient(server, (c) => dropDatabase(c, name));
    },
  };
}
