import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { PeerWriter } from '../peer-writer';
import { RemovePeerCommand } from './remove-peer.command';

/** Removes a peer: no more polls, no chunk is fetched from it (running jobs drop it at their next request). */
@CommandHandler(RemovePeerCommand)
export class RemovePeerHandler implements ICommandHandler<RemovePeerCommand, void> {
  constructor(private readonly writer: PeerWriter) {}

  async execute(cmd: RemovePeerCommand): Promise<void> {
    await this.writer.run(cmd.peerId, { type: 'remove_peer', data: { peerId: cmd.peerId, now: new Date() } }, cmd.meta);
  }
}
