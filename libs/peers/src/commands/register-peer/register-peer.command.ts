import { Command } from '@nestjs/cqrs';
import type { CommandMeta } from '@cave/kernel';
import type { PeerView } from '../../read-models/peers.read-model';

export class RegisterPeerCommand extends Command<PeerView> {
  constructor(
    readonly url: string,
    readonly name: string | undefined,
    readonly meta: CommandMeta,
  ) {
    super();
  }
}
