import type { Projection } from '@cave/projections';
import { SANDBOX_EVENT_TYPES, SandboxEvent } from '../domain/sandbox.events';
import { projectSandboxEvent } from './sandboxes.projection';

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
      for (const e of events) {
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
        await client.query(stmt.text, stmt.values);
      }
    },
  };
}
