import type { Client } from 'pg';
import { LogicalReplicationService } from 'pg-logical-replication';

/**
 * pg-logical-replication's stop() removes every listener from its pg Client, and the socket may
 * still report an error afterwards (e.g. the server was shut down), which Node turns into an
 * uncaught exception. Keep a no-op error listener on the dead client.
 */
export class ReplicationService extends LogicalReplicationService {
  override async stop(): Promise<this> {
    const client = (this as unknown as { _client: Client | null })._client;
    try {
      return await super.stop();
    } finally {
      client?.on('error', () => undefined);
    }
  }
}
