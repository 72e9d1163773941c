import 'reflect-metadata';
import { CommandFactory } from 'nest-commander';
import { ConfigError } from '@cave/config';
import { CliModule } from './cli.module';

/** Admin CLI: `npm run cli -- <command>` (try `--help`). */
async function main(): Promise<void> {
  await CommandFactory.run(CliModule, {
    cliName: 'cave',
    logger: false,
    serviceErrorHandler: (e: Error) => {
      process.stderr.write(`${e instanceof ConfigError ? e.message : `error: ${e.message}`}\n`);
      process.exitCode = 1;
    },
  });
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (e: unknown) => {
    process.stderr.write(`${e instanceof ConfigError ? e.message : `error: ${e instanceof Error ? e.message : String(e)}`}\n`);
    process.exit(1);
  },
);
