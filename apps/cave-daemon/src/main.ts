import 'reflect-metadata';
import pino from 'pino';
import { ConfigError, loadConfig } from '@cave/config';
import { prepareDatabase } from '@cave/event-store';
import { createApp } from './bootstrap/create-app';
import { REDACT } from './bootstrap/logging';
import { MIGRATIONS } from '@cave/migrations';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }
  const log = pino({ level: config.logLevel, redact: REDACT, base: { component: 'boot' } });
  const prepared = await prepareDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    log: (level, msg) => log[level](msg),
    migrations: MIGRATIONS,
  });
  if (prepared.appliedMigrations.length > 0) log.info({ migrations: prepared.appliedMigrations }, 'migrations applied');

  const app = await createApp(config, prepared);
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 20_000).unref();
    try {
      await app.close();
      await prepared.embedded?.stop();
      log.info('stopped');
      clearTimeout(force);
      process.exit(0);
    } catch (e) {
      log.error({ err: e }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  await app.listen({ port: config.port, host: config.host });
  log.info({ port: config.port, embedded: Boolean(prepared.embedded), walLevel: prepared.server.walLevel }, `CAVE listening on http://${config.host}:${config.port}`);
}

main().catch((e: unknown) => {
  process.stderr.write(`CAVE failed to start: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
