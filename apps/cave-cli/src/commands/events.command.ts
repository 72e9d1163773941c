import { Command, CommandRunner } from 'nest-commander';
import { EventsExportCommand } from './events-export.command';
import { EventsTailCommand } from './events-tail.command';

@Command({ name: 'events', description: 'Read the event log', subCommands: [EventsTailCommand, EventsExportCommand] })
export class EventsCommand extends CommandRunner {
  async run(): Promise<void> {
    this.command.help();
  }
}
