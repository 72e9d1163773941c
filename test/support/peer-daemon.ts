import 'reflect-metadata';
import { createPublicKey } from 'node:crypto';
import { loadConfig } from '@cave/config';
import { prepareDatabase } from '@cave/event-store';
import { MIGRATIONS } from '@cave/migrations';
import { createApp } from '../../apps/cave-daemon/src/bootstrap/create-app';
import { FileModelArtifacts } from './file-model-artifacts';

/**
 * A daemon process for multi-node peers tests: the real app (`createApp`), with the file-backed registry of
 * `CAVE_TEST_MODELS_DIR` trusting the Ed25519 public keys (SPKI PEM, `|`-separated) of `CAVE_TEST_TRUSTED_KEYS`.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const prepared = await prepareDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, log: () => undefined, migrations: MIGRATIONS });
  const trusted = (process.env.CAVE_TEST_TRUSTED_KEYS ?? '').split('|').filter(Boolean).map((pem) => createPublicKey(pem));
  const modelArtifacts = new FileModelArtifacts(process.env.CAVE_TEST_MODELS_DIR!, trusted);
  const app = await createApp(config, prepared, { overrides: { modelArtifacts } });
  app.enableShutdownHooks();
  await app.listen({ port: config.port, host: config.host });
  process.stdout.write(`peer daemon ready on ${config.port}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`peer daemon failed: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
