import { randomUUID } from 'node:crypto';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Database } from '@cave/event-store';
import { parsePeerUrl } from '../../domain/peer.decider';
import { PeerAlreadyRegisteredError } from '../../domain/peers.errors';
import { PeerHealthPoller } from '../../health/peer-health.poller';
import { peersReadModel, PeerView } from '../../read-models/peers.read-model';
import { PeerWriter } from '../peer-writer';
import { RegisterPeerCommand } from './register-peer.command';

/** Registers a peer by the URL of its listener; its health is polled at once, then every interval. */
@CommandHandler(RegisterPeerCommand)
export class RegisterPeerHandler implements ICommandHandler<RegisterPeerCommand, PeerView> {
  constructor(
    private readonly db: Database,
    private readonly writer: PeerWriter,
    private readonly poller: PeerHealthPoller,
  ) {}

  async execute(cmd: RegisterPeerCommand): Promise<PeerView> {
    const url = parsePeerUrl(cmd.url);
    const existing = await this.db.asAdmin((c) => peersReadModel.byUrl(c, url));
    if (existing) throw new PeerAlreadyRegisteredError(url, existing);
    const peerId = randomUUID();
    await this.writer.run(peerId, { type: 'register_peer', data: { peerId, url, name: cmd.name ?? null, now: new Date() } }, cmd.meta, true);
    await this.poller.pollOne(peerId, url).catch(() => undefined);
    const view = await this.db.asAdmin((c) => peersReadModel.get(c, peerId));
    if (!view) throw new Error(`peer ${peerId} vanished after registration`);
    return view;
  }
}
