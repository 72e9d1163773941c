import type { PoolClient } from 'pg';
import type { RecordedEvent } from '@cave/event-store';
import { AuditWriter } from './audit-writer';

/**
 * The audit writer in the shape of the projection runtime's `Projection` (libs/projections, not yet
 * in main): the runtime commits `handle`'s inserts with its checkpoint, leads it on one instance and
 * feeds it in commit-safe order. No `tables`: the audit log is never rebuilt (a rebuild would rewrite
 * history), and the writer skips events it has already audited, so a replayed batch is a no-op.
 * The JSONL file is appended after commit by `AuditFileSink.catchUp()`, which `afterHandle` schedules
 * (entries not yet visible are picked up by the next call).
 */
export function auditProjection(writer: AuditWriter, afterHandle: (written: number) => void = () => undefined) {
  return {
    name: 'audit',
    version: 1,
    batchSize: 1000,
    async handle(events: RecordedEvent[], client: PoolClient): Promise<void> {
      const { entries } = await writer.applyBatch(events, client);
      afterHandle(entries.length);
    },
  };
}
