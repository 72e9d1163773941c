import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { CommandRunner } from '@cave/event-store';
import { chatStream } from '../usage.stream';
import { OpenChannelCommand } from './open-channel.command';

@CommandHandler(OpenChannelCommand)
export class OpenChannelHandler implements ICommandHandler<OpenChannelCommand, { chatId: string; streamId: string }> {
  constructor(private readonly runner: CommandRunner) {}

  async execute({ meta }: OpenChannelCommand): Promise<{ chatId: string; streamId: string }> {
    const chatId = randomUUID();
    const streamId = `llm_chat-${chatId}`;
    await this.runner.run(chatStream, { streamId, newStream: true, meta, command: { type: 'open', chatId } });
    return { chatId, streamId };
  }
}
