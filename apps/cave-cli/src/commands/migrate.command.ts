import { Command, CommandRunner } from 'nest-commander';
import { CliContext } from '../cli-context';

@Command({ name: 'migrate', description: 'Apply pending migrations and exit' })
export class MigrateCommand extends CommandRunner {
  constructor(private readonly ctx: CliContext) {
    super();
  }

  async run(): Promise<void> {
    const { prepared } = await this.ctx.connect();
    this.ctx.log.info({ applied: prepared.appliedMigrations }, prepared.appliedMigrations.length ? 'migrations applied' : 'database already up to date');
  }
}
