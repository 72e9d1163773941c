import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { CaveConfig, loadConfig } from '@cave/config';
import { createTestDatabase, TestDatabase } from './test-database';

export interface TestApp {
  app: NestFastifyApplication;
  /** Base URL of the listening server, e.g. http://127.0.0.1:41234 */
  url: string;
  database: TestDatabase;
  config: CaveConfig;
  close(): Promise<void>;
}

type CreateApp = (config: CaveConfig, db: { appUrl: string; adminUrl: string }, opts: { silent?: boolean }) => Promise<NestFastifyApplication>;

/**
 * The real daemon application on its own cloned database, listening on a free loopback port,
 * for e2e tests over real HTTP. `env` overrides configuration variables.
 */
export async function startTestApp(createApp: CreateApp, env: Record<string, string> = {}): Promise<TestApp> {
  const database = await createTestDatabase();
  // Per-database audit file so parallel test files never share one log.
  const config = loadConfig({
    LOG_LEVEL: 'silent',
    CAVE_DATA_DIR: '/tmp/cave-e2e-unused',
    CAVE_AUDIT_LOG_PATH: `/tmp/cave-e2e-audit/${database.name}.jsonl`,
    ...env,
    DATABASE_URL: database.ownerUrl,
  });
  const app = await createApp(config, database, { silent: true });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    app,
    url: `http://127.0.0.1:${port}`,
    database,
    config,
    close: async () => {
      await app.close();
      await database.drop();
    },
  };
}
