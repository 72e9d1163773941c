import { Command, CommandRunner } from 'nest-commander';
import { ProjectionsListCommand } from './projections-list.command';
import { ProjectionsRebuildCommand } from './projections-rebuild.command';

@Command({ name: 'projections', description: 'Inspect and rebuild projections', subCommands: [ProjectionsListCommand, ProjectionsRebuildCommand] })
export class ProjectionsCommand extends CommandRunner {
  async run(): Promise<void> {
    this.command.help();
  }
}
