import { escapeLiteral, type Pool, type PoolClient } from 'pg';

/** A cursor as stored: `<transaction id>:<global position>`. */
const CURSOR_TEXT = /^\d+:\d+$/;

export type ProjectionStatus = 'running' | 'failed';
export type RebuildStatus = 'requested' | 'running' | 'done' | 'failed';

/** One row of `projection_checkpoints`. Positions are numbers (identity values stay far below 2^53). */
export interface Checkpoint {
  name: string;
  version: number;
  cursor: string;
  position: number;
  status: ProjectionStatus;
  error: string | null;
  failedPosition: number | null;
  failedCursor: string | null;
  failedEventId: string | null;
  failedEventType: string | null;
  failedAt: Date | null;
  leader: string | null;
  leaderSince: Date | null;
  rebuildStatus: RebuildStatus | null;
  rebuildCursor: string | null;
  rebuildPosition: number | null;
  rebuildEvents: number;
  rebuildRate: number | null;
  rebuildError: string | null;
  rebuildRequestedAt: Date | null;
  rebuildStartedAt: Date | null;
  rebuildFinishedAt: Date | null;
  updatedAt: Date;
}

/** Another instance (or an admin action) moved the checkpoint under us: drop the batch, reload. */
export class CheckpointMovedError extends Error {
  constructor(name: string) {
    super(`checkpoint of projection ${name} moved concurrently`);
    this.name = 'CheckpointMovedError';
  }
}

type Queryable = Pick<Pool | PoolClient, 'query'>;
type Row = Record<string, unknown>;

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

function toCheckpoint(r: Row): Checkpoint {
  return {
    name: r.name as string,
    version: r.version as number,
    cursor: r.cursor as string,
    position: Number(r.position),
    status: r.status as ProjectionStatus,
    error: r.error as string | null,
    failedPosition: num(r.failed_position),
    failedCursor: r.failed_cursor as string | null,
    failedEventId: r.failed_event_id as string | null,
    failedEventType: r.failed_event_type as string | null,
    failedAt: r.failed_at as Date | null,
    leader: r.leader as string | null,
    leaderSince: r.leader_since as Date | null,
    rebuildStatus: r.rebuild_status as RebuildStatus | null,
    rebuildCursor: r.rebuild_cursor as string | null,
    rebuildPosition: num(r.rebuild_position),
    rebuildEvents: Number(r.rebuild_events),
    rebuildRate: r.rebuild_rate as number | null,
    rebuildError: r.rebuild_error as string | null,
    rebuildRequestedAt: r.rebuild_requested_at as Date | null,
    rebuildStartedAt: r.rebuild_started_at as Date | null,
    rebuildFinishedAt: r.rebuild_finished_at as Date | null,
    updatedAt: r.updated_at as Date,
  };
}

/** Error text kept for operators: bounded, single line. */
export function errorText(e: unknown): string {
  const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return msg.replace(/\s+/g, ' ').slice(0, 1000);
}

/**
 * SQL over `projection_checkpoints`. Every write that advances a cursor is a compare-and-set on the
 * cursor it started from, so a stale leader (lost lock, paused process) can never apply a batch twice.
 */
export class CheckpointStore {
  constructor(private readonly db: Queryable) {}

  async ensure(name: string, version: number): Promise<Checkpoint> {
    await this.db.query(`insert into projection_checkpoints (name, version) values ($1, $2) on conflict (name) do nothing`, [name, version]);
    return (await this.get(name))!;
  }

  async get(name: string, c: Queryable = this.db): Promise<Checkpoint | undefined> {
    const { rows } = await c.query(`select * from projection_checkpoints where name = $1`, [name]);
    return rows[0] ? toCheckpoint(rows[0]) : undefined;
  }

  async list(): Promise<Checkpoint[]> {
    const { rows } = await this.db.query(`select * from projection_checkpoints order by name`);
    return rows.map(toCheckpoint);
  }

  /**
   * `advance` as literal SQL, for sending in the transaction's BEGIN message (`Database.asAdmin`'s `opening`):
   * the compare-and-set first, so the row is locked for the batch and a stale leader stops before applying
   * anything. Its row count must be 1 (`assertAdvanced`). Cursors are `<xid>:<position>`, checked here.
   */
  advanceStatement(name: string, from: string, to: string, position: number): string {
    for (const c of [from, to]) if (!CURSOR_TEXT.test(c)) throw new Error(`not a cursor: ${c}`);
    if (!Number.isSafeInteger(position) || position < 0) throw new Error(`not a position: ${position}`);
    return `update projection_checkpoints set cursor = '${to}', position = ${position}, updated_at = now()
       where name = ${escapeLiteral(name)} and cursor = '${from}' and status = 'running'`;
  }

  /** The opening `advanceStatement` matched its row, or the checkpoint moved under us. */
  assertAdvanced(name: string, result: { rowCount: number | null } | undefined): void {
    if (result?.rowCount !== 1) throw new CheckpointMovedError(name);
  }

  async advance(c: Queryable, name: string, from: string, to: string, position: number): Promise<void> {
    const r = await c.query(
      `update projection_checkpoints set cursor = $3, position = $4, updated_at = now()
       where name = $1 and cursor = $2 and status = 'running'`,
      [name, from, to, position],
    );
    if (r.rowCount !== 1) throw new CheckpointMovedError(name);
  }

  async markFailed(name: string, at: string, failed: { position: number; cursor: string; eventId: string; type: string }, error: string): Promise<boolean> {
    const r = await this.db.query(
      `update projection_checkpoints set status = 'failed', error = $3, failed_position = $4, failed_cursor = $5,
         failed_event_id = $6, failed_event_type = $7, failed_at = now(), updated_at = now()
       where name = $1 and cursor = $2 and status = 'running'`,
      [name, at, error, failed.position, failed.cursor, failed.eventId, failed.type],
    );
    return r.rowCount === 1;
  }

  async setLeader(name: string, leader: string): Promise<void> {
    await this.db.query(`update projection_checkpoints set leader = $2, leader_since = now() where name = $1`, [name, leader]);
  }

  async requestRebuild(c: Queryable, name: string): Promise<void> {
    await c.query(
      `update projection_checkpoints set rebuild_status = 'requested', rebuild_requested_at = now(), rebuild_error = null,
         rebuild_started_at = null, rebuild_finished_at = null, rebuild_cursor = null, rebuild_position = null,
         rebuild_events = 0, rebuild_rate = null, updated_at = now()
       where name = $1`,
      [name],
    );
  }

  async startRebuild(c: Queryable, name: string): Promise<void> {
    await c.query(
      `update projection_checkpoints set rebuild_status = 'running', rebuild_started_at = now(), rebuild_cursor = '0:0',
         rebuild_position = 0, rebuild_events = 0, rebuild_rate = null, updated_at = now()
       where name = $1 and rebuild_status = 'requested'`,
      [name],
    );
  }

  async advanceRebuild(c: Queryable, name: string, from: string, to: string, position: number, events: number, rate: number): Promise<void> {
    const r = await c.query(
      `update projection_checkpoints set rebuild_cursor = $3, rebuild_position = $4, rebuild_events = rebuild_events + $5,
         rebuild_rate = $6, updated_at = now()
       where name = $1 and rebuild_cursor = $2 and rebuild_status = 'running'`,
      [name, from, to, position, events, rate],
    );
    if (r.rowCount !== 1) throw new CheckpointMovedError(name);
  }

  /** The swap's checkpoint half: the live checkpoint becomes the shadow's, in the swap transaction. */
  async completeRebuild(c: Queryable, name: string, shadowCursor: string, version: number): Promise<void> {
    const r = await c.query(
      `update projection_checkpoints set cursor = rebuild_cursor, position = rebuild_position, version = $3,
         status = 'running', error = null, failed_position = null, failed_cursor = null, failed_event_id = null,
         failed_event_type = null, failed_at = null,
         rebuild_status = 'done', rebuild_finished_at = now(), updated_at = now()
       where name = $1 and rebuild_cursor = $2 and rebuild_status = 'running'`,
      [name, shadowCursor, version],
    );
    if (r.rowCount !== 1) throw new CheckpointMovedError(name);
  }

  async failRebuild(name: string, error: string): Promise<void> {
    await this.db.query(
      `update projection_checkpoints set rebuild_status = 'failed', rebuild_error = $2, rebuild_finished_at = now(), updated_at = now()
       where name = $1 and rebuild_status in ('requested', 'running')`,
      [name, error],
    );
  }
}
