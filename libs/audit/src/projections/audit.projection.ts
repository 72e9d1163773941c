import type { PoolClient } from 'pg';
import type { RecordedEvent } from '@cave/event-store';
import type { Projection } from '@cave/projections';
import { AuditBatchResult, AuditWriter } from './audit-writer';

export const AUDIT_PROJECTION = 'audit';

/**
 * The audit writer as a projector of the projection runtime: the runtime leads it on one instance,
 * feeds it in commit-safe order and commits `handle`'s inserts with its checkpoint (CAS), so an
 * entry exists exactly once per event across crashes and failovers. The writer also skips events
 * it has already audited, so a batch replayed over an older checkpoint is a no-op.
 *
 * `rebuildable: false`: the log is append-only evidence; a rebuild would drop and rewrite history.
 * `upcast: false`: entries digest the stored payload, which upcasters never change.
 * `onCommit` gets the committed entries' lines (for the JSONL mirror) only after the commit.
 */
export function auditProjection(writer: AuditWriter, onCommit: (result: AuditBatchResult) => Promise<void> | void = () => undefined): Projection {
  // The result of the transaction in flight; handed over once the runtime reports its commit.
  let pending: AuditBatchResult | undefined;
  return {
    name: AUDIT_PROJECTION,
    version: 1,
    batchSize: 1000,
    rebuildable: false,
    // The digest covers the payload as stored; reading it so saves a second read of `data` per batch.
    upcast: false,
    async handle(events: RecordedEvent[], client: PoolClient): Promise<void> {
      pending = undefined;
      pending = await writer.applyBatch(events, client);
    },
    async afterCommit(): Promise<void> {
      const result = pending;
      pending = undefined;
      if (result && result.entries.length > 0) await onCommit(result);
    },
  };
}
