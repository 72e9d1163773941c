import 'reflect-metadata';
import pino from 'pino';
import { ConfigError, loadConfig } from '@cave/config';
import { prepareDatabase } from '@cave/event-store';
import { auditVerifyCommand } from './audit-verify.command';

/** Admin CLI entry point: `npm run cli -- <command>`. */
async function main(argv: string[]): Promise<number> {
  const [command] = argv;
  switch (command) {
    case 'migrate':
      return migrate();
    case 'audit':
      if (argv[1] === 'verify') return auditVerifyCommand(argv.slice(2));
      process.stderr.write('usage: cave audit verify --help\n');
      return 2;
    default:
      process.stderr.write(`usage: cave <command>\n\ncommands:\n  migrate        apply pending migrations and exit\n  audit verify   verify an audit log file offline (see: audit verify --help)\n`);
      return command === undefined || command === '--help' ? 0 : 2;
  }
}

async function migrate(): Promise<number> {
  const config = loadConfig();
  const log = pino({ level: config.logLevel, base: { component: 'migrate' } });
  const db = await prepareDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, log: (l, m) => log[l](m) });
  log.info({ applied: db.appliedMigrations }, db.appliedMigrations.length ? 'migrations applied' : 'database already up to date');
  await db.embedded?.stop();
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`${e instanceof ConfigError ? e.message : `error: ${e instanceof Error ? e.message : String(e)}`}\n`);
    process.exit(1);
  },
);
