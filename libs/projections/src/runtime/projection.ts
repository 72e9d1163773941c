import type { PoolClient } from 'pg';
import type { RecordedEvent } from '@cave/event-store';

/** What a projection's `handle` gets besides the batch. */
export interface ProjectionContext {
  /**
   * The quoted SQL name to write for one of the projection's `tables`: the live table normally,
   * its shadow while the batch belongs to a rebuild. Always write through this, never a literal name.
   */
  table(name: string): string;
  /** True while this batch is applied to the shadow tables of a rebuild. */
  readonly rebuilding: boolean;
}

/**
 * An asynchronous projector. The runtime feeds it every committed event in commit-safe global
 * order (ADR 0002), in batches, and commits the batch's effects and the new checkpoint in one
 * transaction: each event's effect happens exactly once, across crashes and failovers.
 */
export interface Projection {
  /** Stable identity of the checkpoint; lowercase, digits, `_`, `-`. */
  readonly name: string;
  /** Bump when `handle` changes meaning: a stored lower version triggers a rebuild at start. */
  readonly version: number;
  /**
   * Only these event types are read (filtered in SQL) and reach `handle`; the checkpoint still advances
   * over the others, without skipping a wanted one that commits late (ADR 0006). Read once, at start.
   */
  readonly eventTypes?: readonly string[];
  /** `false`: `handle` gets payloads exactly as stored, not upcast (the audit log digests what is stored). */
  readonly upcast?: boolean;
  /**
   * Read-model tables this projection owns. Each must be registered in `projection_read_models` by
   * its migration; a rebuild clones them into `<table>__shadow` and swaps them in when caught up.
   * A projection without tables cannot be rebuilt.
   */
  readonly tables?: readonly string[];
  /**
   * `false` for an append-only projection whose output must never be dropped or rewritten (the
   * audit log): an admin rebuild is refused, a version bump does not rebuild, and a rebuild request
   * that reaches the leader anyway (e.g. made by a process that does not know the code) is failed
   * without touching anything. Default: rebuildable when it declares `tables`.
   */
  readonly rebuildable?: boolean;
  /** Events per transaction (default 1000, max 10000). */
  readonly batchSize?: number;
  /**
   * Apply `events` inside the caller's transaction on `client` (role `cave_admin`, BYPASSRLS).
   * Throwing rolls the whole batch back; the runtime then isolates the failing event and stops.
   */
  handle(events: RecordedEvent[], client: PoolClient, ctx: ProjectionContext): Promise<void>;
  /**
   * Runs after a live batch and its checkpoint committed, before the next batch is read: for side
   * effects outside the database that must follow committed state only (e.g. fsync a file mirror).
   * Awaited (back-pressure); a throw is logged and counted but does not undo the commit, so the
   * effect must be able to catch up later on its own.
   */
  afterCommit?(events: RecordedEvent[]): Promise<void> | void;
  /** Runs in the transaction that creates the shadow tables (e.g. to seed reference rows). */
  prepareShadow?(client: PoolClient, ctx: ProjectionContext): Promise<void>;
}

const NAME = /^[a-z][a-z0-9_-]{0,62}$/;

/** Whether an admin may rebuild `p` (shadow tables, swap). */
export function isRebuildable(p: Projection): boolean {
  return p.rebuildable !== false && (p.tables?.length ?? 0) > 0;
}

export function assertProjectionName(name: string): void {
  if (!NAME.test(name)) throw new Error(`invalid projection name ${JSON.stringify(name)}`);
}
