import { executeBatch, preparedStatement, RecordedEvent } from '@cave/event-store';
import type { Projection } from '@cave/projections';
import { SANDBOX_EVENT_TYPES, SandboxEvent } from '../contracts/sandbox.events';
import { projectSandboxEvent } from './sandboxes.write';

const sandboxIdOf = (e: RecordedEvent) => (e.data as { sandboxId: string }).sandboxId;

/**
 * The `sandboxes` read model on the projection runtime. Commands still write their own row inline
 * (read-your-writes with no wait); this projector replays the same idempotent statements from the
 * log, so it heals a missed row, and it owns zero-downtime rebuilds (ADR 0006).
 */
export function sandboxesProjection(): Projection {
  return {
    name: 'sandboxes',
    version: 1,
    eventTypes: SANDBOX_EVENT_TYPES,
    tables: ['sandboxes'],
    batchSize: 1000,
    async handle(events, client, ctx) {
      const table = ctx.table('sandboxes');
      // Normally every event is already in its row (the command wrote it inline): one read of the rows'
      // versions skips those, instead of re-running a statement per event that would change nothing. The
      // statements stay idempotent, so a command committing between this read and the writes is harmless.
      const ids = [...new Set(events.map(sandboxIdOf))];
      const { rows } = await client.query<{ id: string; version: number }>({
        ...preparedStatement(`select id::text as id, version from ${table} where id = any($1::uuid[])`),
        values: [ids],
      });
      const applied = new Map(rows.map((r) => [r.id, r.version]));
      const missing = events.filter((e) => (applied.get(sandboxIdOf(e)) ?? 0) < e.streamVersion);
      // The rest (a healed gap, or every event during a rebuild) in one round trip, each statement prepared.
      await executeBatch(
        client,
        missing.map((e) => {
          const stmt = projectSandboxEvent(
            {
              namespace: e.namespace,
              streamVersion: e.streamVersion,
              globalPosition: e.globalPosition,
              recordedAt: e.recordedAt,
              metadata: e.metadata,
              event: { type: e.type, data: e.data } as SandboxEvent,
            },
            table,
          );
          return { statement: preparedStatement(stmt.text), values: stmt.values };
        }),
      );
    },
  };
}
