import type { Database, EventStore } from '@cave/event-store';
import type { CheckpointStore } from './checkpoint.store';
import type { Projection, ProjectionContext } from './projection';
import type { ProjectionMetrics } from './projection.metrics';
import type { SharedLog } from './shared-log';

export type ProjectionLogger = (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;

export interface RunnerDeps {
  db: Database;
  store: EventStore;
  checkpoints: CheckpointStore;
  metrics?: ProjectionMetrics;
  log: ProjectionLogger;
  /** Safety-net poll when no wake-up arrives. */
  pollMs: number;
  /**
   * After a live batch that was not full, wait this long before the next one, so a steady stream of appends
   * is applied in batches of this many milliseconds instead of a transaction per wake-up (each costs several
   * round trips). 0 = follow every wake-up at once. Catch-up (full pages) never waits.
   */
  batchWindowMs?: number;
  /**
   * A filtered projection whose batch held nothing it wants only moves its cursor: that move is kept in
   * memory and written at most this often (ms), instead of a transaction per batch window. Safe to lose:
   * the rows it passes hold nothing to apply, so a restart from the stored cursor reads them again and
   * applies the same nothing. 0 or unset = write every move.
   */
  skipPersistMs?: number;
  /** One read of the newest rows for every live track of the runtime (see `SharedLog`). */
  sharedLog?: SharedLog;
}

/** What a track did in one step. */
export interface TrackStep {
  /** Something was applied, written or decided. */
  progressed: boolean;
  /** A full page was read: more is waiting, the next step follows at once. */
  behind: boolean;
  /** The checkpoint this step committed, or `reload`: it changed in ways the runner must read back. */
  stored?: { cursor: string; position: number } | 'reload';
}

export const IDLE: TrackStep = { progressed: false, behind: false };

const quote = (t: string) => `"${t.replace(/"/g, '""')}"`;

/** The context `handle` writes through: live tables, or their `__shadow` copies during a rebuild. */
export function projectionContext(projection: Projection, rebuilding: boolean): ProjectionContext {
  const tables = new Set(projection.tables ?? []);
  const suffix = rebuilding ? '__shadow' : '';
  return {
    rebuilding,
    table: (name) => {
      if (!tables.has(name)) throw new Error(`projection ${projection.name} does not own table ${name}`);
      return quote(name + suffix);
    },
  };
}

/** Events per transaction: the projection's `batchSize` (default 1000) within 1..10000. */
export function batchSizeOf(projection: Projection): number {
  return Math.min(Math.max(projection.batchSize ?? 1000, 1), 10_000);
}
