import type { RecordedEvent } from '@cave/event-store';
import { isSandboxEvent } from './sandbox.events';
import { statusAfter } from '../domain/sandbox.lifecycle';
import { SandboxView } from '../projections/sandbox.read-model';

/**
 * The sandbox as the API shows it, folded from its stream: what time travel returns for
 * `GET /api/v1/sandboxes/{id}?at=` and the admin stream view. Same fields as a `sandboxes` row.
 */
export const sandboxViewFold = {
  initialState: null as SandboxView | null,
  evolve(state: SandboxView | null, e: RecordedEvent): SandboxView | null {
    const event = { type: e.type, data: e.data };
    if (!isSandboxEvent(event)) return state;
    if (event.type === 'sandbox_created') {
      const d = event.data;
      return {
        id: d.sandboxId,
        namespace: e.namespace,
        name: d.name,
        runtime: d.runtime,
        mode: d.mode,
        state: statusAfter(event.type),
        limits: d.limits,
        labels: d.labels,
        version: e.streamVersion,
        createdBy: e.metadata.actor ?? null,
        createdAt: e.recordedAt,
        updatedAt: e.recordedAt,
        createdPosition: e.globalPosition,
      };
    }
    // Every other event is a lifecycle transition: the lifecycle table says what it makes the sandbox.
    return state && { ...state, state: statusAfter(event.type), version: e.streamVersion, updatedAt: e.recordedAt };
  },
};
