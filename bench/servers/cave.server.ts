import 'reflect-metadata';
import { loadConfig } from '@cave/config';
import { Database } from '@cave/event-store';
import { createApp } from '../../apps/cave-daemon/src/bootstrap/create-app';
import { serveAsBenchChild } from '../support/server-process';

/**
 * The daemon's app (createApp, as main.ts builds it) in its own process for the http benchmark. The parent
 * passes the environment the daemon reads (CAVE_BENCH_CONFIG) and the runtime-role URLs (CAVE_BENCH_URLS).
 */
serveAsBenchChild(async () => {
  // Exactly the daemon environment the parent chose, not whatever this shell exports.
  const config = loadConfig(JSON.parse(process.env.CAVE_BENCH_CONFIG ?? '{}') as Record<string, string>);
  const urls = JSON.parse(process.env.CAVE_BENCH_URLS ?? '{}') as { appUrl: string; adminUrl: string };
  const app = await createApp(config, urls, { silent: true });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const db = app.get(Database);
  return {
    port,
    close: () => app.close(),
    answers: { 'batch-stats': () => ({ appends: db.appends.stats, lookups: db.lookups.stats, reads: db.reads.stats }) },
  };
});
