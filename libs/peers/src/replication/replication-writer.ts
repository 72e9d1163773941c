import { Injectable } from '@nestjs/common';
import { CommandRunner, Database, EventStore } from '@cave/event-store';
import { CommandMeta, fold, systemCommandMeta } from '@cave/kernel';
import { PEERS_NAMESPACE, replicationStreamId } from '../contracts/peer.events';
import type { ReplicationCommand, ReplicationEvent, ReplicationState } from '../domain/replication.decider';
import { replicationsReadModel } from '../read-models/replications.read-model';
import { replicationStream } from '../commands/streams';

/** Job state as events: every engine report goes through the decider and lands in the read model in one transaction. */
@Injectable()
export class ReplicationWriter {
  constructor(
    private readonly db: Database,
    private readonly runner: CommandRunner,
    private readonly store: EventStore,
  ) {}

  async run(jobId: string, command: ReplicationCommand, meta: CommandMeta = systemCommandMeta('system:replication', PEERS_NAMESPACE), newStream = false): Promise<ReplicationState> {
    return this.db.asAdmin(async (client) => {
      const { events, append, state } = await this.runner.run(replicationStream, {
        streamId: replicationStreamId(jobId),
        namespace: PEERS_NAMESPACE,
        newStream,
        command,
        meta,
        transaction: 'admin',
        retries: 3,
        client,
      });
      const first = append ? append.nextExpectedVersion - events.length + 1 : 0;
      for (const [i, e] of events.entries()) await replicationsReadModel.apply(client, e as ReplicationEvent, first + i);
      return state;
    });
  }

  record(jobId: string, event: Exclude<ReplicationEvent, { type: 'replication_requested' }>): Promise<ReplicationState> {
    return this.run(jobId, { type: 'record', event });
  }

  /** The job's state folded from its events (for a resume). */
  async state(jobId: string): Promise<ReplicationState> {
    const events = await this.db.asAdmin((client) => this.store.readStream(replicationStreamId(jobId), { namespace: PEERS_NAMESPACE, client }));
    return fold(replicationStream.decider, events.map(replicationStream.toEvent));
  }
}
