import { Injectable } from '@nestjs/common';
import { CommandRunner, Database } from '@cave/event-store';
import { CommandMeta, systemCommandMeta } from '@cave/kernel';
import { peerStreamId, PEERS_NAMESPACE } from '../contracts/peer.events';
import type { PeerCommand, PeerEvent } from '../domain/peer.decider';
import { peersReadModel } from '../read-models/peers.read-model';
import { peerStream } from './streams';

/** Runs a peer command as cave_admin and applies its events to the read model in the same transaction. */
@Injectable()
export class PeerWriter {
  constructor(
    private readonly db: Database,
    private readonly runner: CommandRunner,
  ) {}

  run(peerId: string, command: PeerCommand, meta: CommandMeta = systemCommandMeta('system:peers', PEERS_NAMESPACE), newStream = false): Promise<PeerEvent[]> {
    return this.db.asAdmin(async (client) => {
      const { events, append } = await this.runner.run(peerStream, {
        streamId: peerStreamId(peerId),
        namespace: PEERS_NAMESPACE,
        newStream,
        command,
        meta,
        transaction: 'admin',
        retries: 3,
        client,
      });
      const first = append ? append.nextExpectedVersion - events.length + 1 : 0;
      for (const [i, e] of events.entries()) await peersReadModel.apply(client, e, first + i);
      return events;
    });
  }
}
