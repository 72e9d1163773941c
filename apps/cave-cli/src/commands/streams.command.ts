import { Command, CommandRunner } from 'nest-commander';
import { StreamsShowCommand } from './streams-show.command';

@Command({ name: 'streams', description: 'Look at streams (time travel)', subCommands: [StreamsShowCommand] })
export class StreamsCommand extends CommandRunner {
  async run(): Promise<void> {
    this.command.help();
  }
}
