import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { CommandRunner, Database } from '@cave/event-store';
import { DenyList } from '../../tls/deny-list';
import { PEER_DENY_LIST_STREAM_ID, PEERS_NAMESPACE } from '../../contracts/peer.events';
import { parseDenyEntry } from '../../domain/deny-list.decider';
import { DenyEntryInvalidError } from '../../domain/peers.errors';
import { denyListStream } from '../streams';
import { UndenyCertificateCommand } from './undeny-certificate.command';

/** `serial:<hex>` or `node:<uuid>` as the list shows it. */
function parseEntryPath(raw: string): string {
  const m = /^(serial|node):(.+)$/.exec(raw);
  if (!m) throw new DenyEntryInvalidError('an entry is serial:<hex> or node:<uuid>');
  return parseDenyEntry(m[1] === 'serial' ? { serial: m[2] } : { nodeId: m[2] });
}

@CommandHandler(UndenyCertificateCommand)
export class UndenyCertificateHandler implements ICommandHandler<UndenyCertificateCommand, void> {
  constructor(
    private readonly db: Database,
    private readonly runner: CommandRunner,
    private readonly denyList: DenyList,
  ) {}

  async execute(cmd: UndenyCertificateCommand): Promise<void> {
    const entry = parseEntryPath(cmd.entry);
    await this.db.asAdmin(async (client) => {
      await this.runner.run(denyListStream, {
        streamId: PEER_DENY_LIST_STREAM_ID,
        namespace: PEERS_NAMESPACE,
        command: { type: 'undeny', data: { entry, now: new Date() } },
        meta: cmd.meta,
        transaction: 'admin',
        retries: 3,
        client,
      });
      await client.query('delete from peer_deny_list where entry = $1', [entry]);
    });
    await this.denyList.reload();
  }
}
