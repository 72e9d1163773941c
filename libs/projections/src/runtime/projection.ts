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
  /** Only these event types reach `handle` (the checkpoint still advances over the others). */
  readonly eventTypes?: readonly string[];
  /**
   * Read-model tables this projection owns. Each must be registered in `projection_read_models` by
   * its migration; a rebuild clones them into `<table>__shadow` and swaps them in when caught up.
   * A projection without tables cannot be rebuilt.
   */
  readonly tables?: readonly string[];
  /** Events per transaction (default 1000, max 10000). */
  readonly batchSize?: number;
  /**
   * Apply `events` inside the caller's transaction on `client` (role `cave_admin`, BYPASSRLS).
   * Throwing rolls the whole batch back; the runtime then isolates the failing event and stops.
   */
  handle(events: RecordedEvent[], client: PoolClient, ctx: ProjectionContext): Promise<void>;
  /** Runs in the transaction that creates the shadow tables (e.g. to seed reference rows). */
  prepareShadow?(client: PoolClient, ctx: ProjectionContext): Promise<void>;
}

const NAME = /^[a-z][a-z0-9_-]{0,62}$/;

export function assertProjectionName(name: string): void {
  if (!NAME.test(name)) throw new Error(`invalid projection name ${JSON.stringify(name)}`);
}
