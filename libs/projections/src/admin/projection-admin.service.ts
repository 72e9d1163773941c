import type { PoolClient } from 'pg';
import { Database, EventStore } from '@cave/event-store';
import { Checkpoint, CheckpointStore } from '../runtime/checkpoint.store';
import { isRebuildable } from '../runtime/projection';
import { ProjectionRegistry } from '../runtime/projection.registry';
import { CONTROL_CHANNEL } from '../runtime/projection.runtime';
import { ProjectionNotFailedError, ProjectionNotFoundError, ProjectionNotRebuildableError, SkipPositionMismatchError } from './projection.errors';
import { ProjectionView, toView } from './projection.view';

/** Admin decisions are events too: stream `projection-<name>` in namespace `system`. */
export const ADMIN_NAMESPACE = 'system';
export const ADMIN_STREAM_TYPE = 'projection';
export const projectionStreamId = (name: string) => `projection-${name}`;

/**
 * Status, retry, skip and rebuild of projections. Reads are served from `projection_checkpoints`,
 * so any instance answers for projections led elsewhere; changes are picked up by the leader
 * through NOTIFY on the control channel (or its next poll).
 */
export class ProjectionAdminService {
  private readonly checkpoints: CheckpointStore;

  constructor(
    private readonly db: Database,
    private readonly store: EventStore,
    private readonly registry: ProjectionRegistry,
  ) {
    this.checkpoints = new CheckpointStore(db.admin);
  }

  async list(): Promise<ProjectionView[]> {
    const rows = await this.checkpoints.list();
    const names = new Set([...rows.map((r) => r.name), ...this.registry.all().map((p) => p.name)]);
    return this.views([...names].sort(), rows);
  }

  async get(name: string): Promise<ProjectionView> {
    const cp = await this.checkpoints.get(name);
    if (!cp && !this.registry.get(name)) throw new ProjectionNotFoundError(name);
    return (await this.views([name], cp ? [cp] : []))[0];
  }

  /** Try the failing event again (e.g. after a fix was deployed or a dependency came back). */
  async retry(name: string, actor: string): Promise<ProjectionView> {
    await this.decide(name, async (c, cp) => {
      if (cp.status !== 'failed') throw new ProjectionNotFailedError(name);
      await c.query(
        `update projection_checkpoints set status = 'running', error = null, failed_position = null, failed_cursor = null,
           failed_event_id = null, failed_event_type = null, failed_at = null, updated_at = now()
         where name = $1 and status = 'failed'`,
        [name],
      );
      return { type: 'projection_retried', data: { projection: name, failedPosition: cp.failedPosition, failedEventId: cp.failedEventId, error: cp.error } };
    }, actor);
    return this.get(name);
  }

  /**
   * Step over the failing event: the checkpoint moves exactly past it, in the transaction that
   * records the skip. `expectedPosition` guards against skipping an event the caller did not look at.
   */
  async skip(name: string, actor: string, expectedPosition?: number): Promise<ProjectionView> {
    await this.decide(name, async (c, cp) => {
      if (cp.status !== 'failed' || cp.failedCursor === null || cp.failedPosition === null) throw new ProjectionNotFailedError(name);
      if (expectedPosition !== undefined && expectedPosition !== cp.failedPosition) {
        throw new SkipPositionMismatchError(name, expectedPosition, cp.failedPosition);
      }
      await c.query(
        `update projection_checkpoints set status = 'running', cursor = failed_cursor, position = failed_position, error = null,
           failed_position = null, failed_cursor = null, failed_event_id = null, failed_event_type = null, failed_at = null, updated_at = now()
         where name = $1 and status = 'failed' and failed_cursor = $2`,
        [name, cp.failedCursor],
      );
      return {
        type: 'projection_event_skipped',
        data: { projection: name, globalPosition: cp.failedPosition, eventId: cp.failedEventId, eventType: cp.failedEventType, error: cp.error },
      };
    }, actor);
    return this.get(name);
  }

  /** Idempotent: asking again while a rebuild is pending or running returns its progress. */
  async rebuild(name: string, actor: string): Promise<ProjectionView> {
    const p = this.registry.get(name);
    if (p && p.rebuildable === false) throw new ProjectionNotRebuildableError(name, 'append_only');
    if (p && !isRebuildable(p)) throw new ProjectionNotRebuildableError(name, 'no_tables');
    // Not registered here (the CLI has no projection code): an existing checkpoint is enough; the
    // leading daemon knows the tables and fails the rebuild visibly if there are none.
    if (p) await this.checkpoints.ensure(name, p.version);
    await this.decide(name, async (c, cp) => {
      if (cp.rebuildStatus === 'requested' || cp.rebuildStatus === 'running') return undefined;
      await this.checkpoints.requestRebuild(c, name);
      return { type: 'projection_rebuild_requested', data: { projection: name, livePosition: cp.position } };
    }, actor);
    return this.get(name);
  }

  /** Locks the checkpoint row, applies the decision and records it as an event, all in one transaction. */
  private async decide(
    name: string,
    fn: (c: PoolClient, cp: Checkpoint) => Promise<{ type: string; data: Record<string, unknown> } | undefined>,
    actor: string,
  ): Promise<void> {
    await this.db.asAdmin(async (c) => {
      const { rows } = await c.query(`select name from projection_checkpoints where name = $1 for update`, [name]);
      if (rows.length === 0) throw new ProjectionNotFoundError(name);
      const cp = (await this.checkpoints.get(name, c))!;
      const event = await fn(c, cp);
      if (!event) return;
      await this.store.append(projectionStreamId(name), 'any', [event], { namespace: ADMIN_NAMESPACE, streamType: ADMIN_STREAM_TYPE, actor, client: c });
      await c.query(`select pg_notify('${CONTROL_CHANNEL}', $1)`, [name]);
    });
  }

  private async views(names: string[], rows: Checkpoint[]): Promise<ProjectionView[]> {
    const { rows: facts } = await this.db.admin.query<{ head: string; name: string; alive: boolean }>(
      `select (select coalesce(max(global_position), 0) from events) as head, n as name,
         exists (select 1 from pg_locks l
                 where l.locktype = 'advisory' and l.granted and l.objsubid = 2
                   and l.database = (select oid from pg_database where datname = current_database())
                   and l.classid = hashtext('cave:projection')::oid and l.objid = hashtext(n)::oid) as alive
       from unnest($1::text[]) as n`,
      [names],
    );
    const byName = new Map(rows.map((r) => [r.name, r]));
    return facts.map((f) => toView(f.name, byName.get(f.name), this.registry.get(f.name), Number(f.head), f.alive));
  }
}
