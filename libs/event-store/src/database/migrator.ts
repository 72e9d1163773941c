import { Pool } from 'pg';
import { DataSource, MigrationInterface } from 'typeorm';

export const MIGRATIONS_TABLE = 'cave_migrations';

/** The schema's migrations in order; the composition root passes its list (the top-level `migrations/`). */
export type Migrations = readonly (new () => MigrationInterface)[];

/**
 * Applies pending migrations as the owner URL's user. TypeORM is used for migrations only
 * (synchronize is off); runtime queries go through `pg` directly.
 */
export async function runMigrations(ownerUrl: string, migrations: Migrations): Promise<string[]> {
  const ds = new DataSource({
    type: 'postgres',
    url: ownerUrl,
    migrations: [...migrations],
    migrationsTableName: MIGRATIONS_TABLE,
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false,
  });
  await ds.initialize();
  try {
    // Two daemons booting at once must not both migrate: serialise on a cluster-wide advisory lock.
    await ds.query(`select pg_advisory_lock(hashtext('cave:migrations'))`);
    const applied = await ds.runMigrations({ transaction: 'each' });
    // /healthz (as cave_admin) compares this table with the migrations the build knows.
    await ds.query(`grant select on ${MIGRATIONS_TABLE} to cave_admin`);
    return applied.map((m) => m.name);
  } finally {
    await ds.query(`select pg_advisory_unlock(hashtext('cave:migrations'))`).catch(() => undefined);
    await ds.destroy();
  }
}

/** Names of migrations known to this build that the database has not applied yet. */
export async function pendingMigrations(pool: Pool, migrations: Migrations): Promise<string[]> {
  const known = migrations.map((m) => new m().name as string);
  const { rows } = await pool.query<{ name: string }>(`select name from ${MIGRATIONS_TABLE}`);
  const applied = new Set(rows.map((r) => r.name));
  return known.filter((n) => !applied.has(n));
}
