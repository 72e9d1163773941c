import { createHash, randomUUID } from 'node:crypto';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Database } from '@cave/event-store';
import { parseReplicationRequest } from '../../domain/replication.decider';
import { ReplicationUnavailableError } from '../../domain/peers.errors';
import { replicationsReadModel, ReplicationView } from '../../read-models/replications.read-model';
import { Replicator } from '../../replication/replicator';
import { ReplicationWriter } from '../../replication/replication-writer';
import { PeerClient } from '../../tls/peer-client';
import { PeerNodeService } from '../../tls/peer-node.service';
import { RequestReplicationCommand } from './request-replication.command';

/**
 * "Get the model with this manifest sha256 onto this node": records `replication_requested` and starts the job.
 * An Idempotency-Key derives the job id, so a retried POST answers the same job instead of starting another.
 */
@CommandHandler(RequestReplicationCommand)
export class RequestReplicationHandler implements ICommandHandler<RequestReplicationCommand, ReplicationView> {
  constructor(
    private readonly db: Database,
    private readonly writer: ReplicationWriter,
    private readonly replicator: Replicator,
    private readonly node: PeerNodeService,
    private readonly client: PeerClient,
  ) {}

  async execute(cmd: RequestReplicationCommand): Promise<ReplicationView> {
    const { artifactSha256, maxBytesPerSec } = parseReplicationRequest(cmd.artifactSha256, cmd.maxBytesPerSec);
    if (!this.node.artifacts) throw new ReplicationUnavailableError('this node has no model registry to register a replicated model into');
    if (!this.client.configured) throw new ReplicationUnavailableError('this node has no peer certificate (CAVE_PEER_CERT_FILE and friends)');
    const key = cmd.meta.idempotencyKey;
    const jobId = key === undefined ? randomUUID() : uuidFrom(`replication:${cmd.meta.actor}:${key}`);
    const existing = await this.db.asAdmin((c) => replicationsReadModel.get(c, jobId));
    if (!existing) {
      await this.writer.run(jobId, { type: 'request', data: { jobId, artifactSha256, maxBytesPerSec, requestedAt: new Date().toISOString() } }, cmd.meta, true);
      void this.replicator.start(jobId);
    }
    const view = await this.db.asAdmin((c) => replicationsReadModel.get(c, jobId));
    if (!view) throw new Error(`replication ${jobId} vanished after its request`);
    return view;
  }
}

function uuidFrom(text: string): string {
  const h = createHash('sha256').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
