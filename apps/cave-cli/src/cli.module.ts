import { Module, OnModuleDestroy } from '@nestjs/common';
import { CliContext } from './cli-context';
import { AuditCommand, AuditVerifyCommand } from './commands/audit.command';
import { EventsExportCommand } from './commands/events-export.command';
import { EventsTailCommand } from './commands/events-tail.command';
import { EventsCommand } from './commands/events.command';
import { MigrateCommand } from './commands/migrate.command';
import { ModelsCommand, ModelsKeygenCommand, ModelsPackCommand } from './commands/models.command';
import { ProjectionsListCommand } from './commands/projections-list.command';
import { ProjectionsRebuildCommand } from './commands/projections-rebuild.command';
import { PkiCommand, PkiInitCommand, PkiIssueNodeCommand } from './commands/pki.command';
import { ProjectionsCommand } from './commands/projections.command';
import { StreamsShowCommand } from './commands/streams-show.command';
import { StreamsCommand } from './commands/streams.command';

/**
 * Every command, one file each under commands/ (inject `CliContext` for the database), listed here.
 */
export const COMMANDS = [
  MigrateCommand,
  EventsCommand,
  EventsTailCommand,
  EventsExportCommand,
  ProjectionsCommand,
  ProjectionsListCommand,
  ProjectionsRebuildCommand,
  StreamsCommand,
  StreamsShowCommand,
  AuditCommand,
  AuditVerifyCommand,
  ModelsCommand,
  ModelsPackCommand,
  ModelsKeygenCommand,
  PkiCommand,
  PkiInitCommand,
  PkiIssueNodeCommand,
];

@Module({ providers: [CliContext, ...COMMANDS] })
export class CliModule implements OnModuleDestroy {
  constructor(private readonly ctx: CliContext) {}

  async onModuleDestroy(): Promise<void> {
    await this.ctx.close();
  }
}
