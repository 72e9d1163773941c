import { Logger } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { CommandRunner, Database } from '@cave/event-store';
import { DenyList } from '../../tls/deny-list';
import { PEER_DENY_LIST_STREAM_ID, PEERS_NAMESPACE, PeerCertificateDeniedData } from '../../contracts/peer.events';
import { parseDenyEntry } from '../../domain/deny-list.decider';
import { denyListReadModel, DenyEntryView } from '../../read-models/deny-list.read-model';
import { denyListStream } from '../streams';
import { DenyCertificateCommand } from './deny-certificate.command';

/** Adds a serial or node id to the deny list; the TLS edges refuse it from the next connection on. */
@CommandHandler(DenyCertificateCommand)
export class DenyCertificateHandler implements ICommandHandler<DenyCertificateCommand, DenyEntryView> {
  private readonly logger = new Logger('Peers');

  constructor(
    private readonly db: Database,
    private readonly runner: CommandRunner,
    private readonly denyList: DenyList,
  ) {}

  async execute(cmd: DenyCertificateCommand): Promise<DenyEntryView> {
    const entry = parseDenyEntry(cmd.target);
    const view = await this.db.asAdmin(async (client) => {
      const { events } = await this.runner.run(denyListStream, {
        streamId: PEER_DENY_LIST_STREAM_ID,
        namespace: PEERS_NAMESPACE,
        command: { type: 'deny', data: { entry, reason: cmd.reason, now: new Date() } },
        meta: cmd.meta,
        transaction: 'admin',
        retries: 3,
        client,
      });
      for (const e of events) {
        const d = e.data as PeerCertificateDeniedData;
        await client.query('insert into peer_deny_list (entry, namespace, reason, denied_at) values ($1, $2, $3, $4) on conflict do nothing', [
          d.entry,
          PEERS_NAMESPACE,
          d.reason,
          d.deniedAt,
        ]);
        this.logger.warn(`peer certificate denied: ${d.entry} by ${cmd.meta.actor}`);
      }
      const view = await denyListReadModel.get(client, entry);
      if (!view) throw new Error(`deny entry ${entry} vanished inside its own transaction`);
      return view;
    });
    // Effective before the answer: the caller's next connection is already refused.
    await this.denyList.reload();
    return view;
  }
}
