import { Checkpoint, ProjectionStatus, RebuildStatus } from '../runtime/checkpoint.store';
import { isRebuildable, Projection } from '../runtime/projection';

export interface RebuildView {
  status: RebuildStatus;
  position: number | null;
  eventsProcessed: number;
  eventsPerSecond: number | null;
  /** Remaining events / rate; null until a rate is known or once finished. */
  etaSeconds: number | null;
  requestedAt: Date | null;
  startedAt: Date | null;
  finishedAt: Date | null;
  error: string | null;
}

export interface FailureView {
  message: string;
  globalPosition: number | null;
  eventId: string | null;
  eventType: string | null;
  at: Date | null;
}

export interface ProjectionView {
  name: string;
  /** Registered in the instance that answered (it knows the code). */
  registered: boolean;
  version: number;
  status: ProjectionStatus | 'pending';
  position: number;
  cursor: string;
  headPosition: number;
  lagEvents: number;
  leader: string | null;
  /** Some instance currently holds the leadership lock. */
  leaderAlive: boolean;
  failure: FailureView | null;
  rebuild: RebuildView | null;
  tables: string[];
  /** Whether an admin may rebuild it; null when the answering instance does not know the code. */
  rebuildable: boolean | null;
  updatedAt: Date | null;
}

export function toView(name: string, cp: Checkpoint | undefined, p: Projection | undefined, head: number, alive: boolean): ProjectionView {
  const position = cp?.position ?? 0;
  let rebuild: RebuildView | null = null;
  if (cp?.rebuildStatus) {
    const rate = cp.rebuildRate;
    const active = cp.rebuildStatus === 'running';
    const remaining = Math.max(0, head - (cp.rebuildPosition ?? 0));
    rebuild = {
      status: cp.rebuildStatus,
      position: cp.rebuildPosition,
      eventsProcessed: cp.rebuildEvents,
      eventsPerSecond: rate === null ? null : Math.round(rate),
      etaSeconds: active && rate ? Math.ceil(remaining / rate) : null,
      requestedAt: cp.rebuildRequestedAt,
      startedAt: cp.rebuildStartedAt,
      finishedAt: cp.rebuildFinishedAt,
      error: cp.rebuildError,
    };
  }
  return {
    name,
    registered: p !== undefined,
    version: cp?.version ?? p?.version ?? 1,
    status: cp?.status ?? 'pending',
    position,
    cursor: cp?.cursor ?? '0:0',
    headPosition: head,
    lagEvents: Math.max(0, head - position),
    leader: cp?.leader ?? null,
    leaderAlive: alive,
    failure:
      cp?.status === 'failed'
        ? { message: cp.error ?? '', globalPosition: cp.failedPosition, eventId: cp.failedEventId, eventType: cp.failedEventType, at: cp.failedAt }
        : null,
    rebuild,
    tables: [...(p?.tables ?? [])],
    rebuildable: p ? isRebuildable(p) : null,
    updatedAt: cp?.updatedAt ?? null,
  };
}
