import { Checkpoint, errorText } from './checkpoint.store';
import { PageReader } from './page-reader';
import { Projection, ProjectionContext } from './projection';
import { batchSizeOf, projectionContext, RunnerDeps, TrackStep } from './runner-deps';
import { isTransient } from './transient';

/**
 * A requested rebuild: create shadow tables, fill them from the start of the log in batches (each with
 * the rebuild cursor, as the live track does), and when a shadow read comes back empty swap them in
 * with the live checkpoint set to the shadow's cursor (ADR 0006). A failing rebuild drops its shadows.
 */
export class RebuildTrack {
  private readonly pages: PageReader;
  private readonly ctx: ProjectionContext;
  private clock?: { startedAt: number; events: number };

  constructor(
    private readonly projection: Projection,
    private readonly deps: RunnerDeps,
  ) {
    this.pages = new PageReader(deps.store, { batchSize: batchSizeOf(projection), eventTypes: projection.eventTypes, upcast: projection.upcast });
    this.ctx = projectionContext(projection, true);
  }

  private get name(): string {
    return this.projection.name;
  }

  static wanted(cp: Checkpoint): boolean {
    return cp.rebuildStatus === 'requested' || cp.rebuildStatus === 'running';
  }

  async step(cp: Checkpoint): Promise<TrackStep> {
    const tables = this.projection.tables ?? [];
    const done = { progressed: true, behind: false };
    if (this.projection.rebuildable === false) {
      await this.deps.checkpoints.failRebuild(this.name, `projection ${this.name} is append-only (rebuildable: false); rebuild refused, nothing was dropped or rewritten`);
      this.deps.log('warn', 'refused a rebuild of an append-only projection', { projection: this.name });
      return done;
    }
    if (tables.length === 0) {
      await this.deps.checkpoints.failRebuild(this.name, 'projection declares no tables; it cannot be rebuilt');
      return done;
    }
    if (cp.rebuildStatus === 'requested') {
      await this.deps.db.asAdmin(async (c) => {
        for (const t of tables) await c.query('select cave_projection_create_shadow($1)', [t]);
        await this.projection.prepareShadow?.(c, this.ctx);
        await this.deps.checkpoints.startRebuild(c, this.name);
      });
      this.clock = { startedAt: Date.now(), events: 0 };
      this.deps.log('info', 'rebuild started', { projection: this.name });
      return done;
    }
    const from = cp.rebuildCursor ?? '0:0';
    const page = await this.pages.read(from);
    if (page.events.length === 0 && !page.full) {
      // Nothing the projection wants is left below the horizon: the shadow is caught up. The swap takes the
      // stored rebuild cursor; rows skipped behind it are scanned again by the live track.
      await this.swap(tables, from);
      return done;
    }
    this.clock ??= { startedAt: Date.now(), events: 0 };
    this.clock.events += page.events.length;
    const rate = this.clock.events / Math.max((Date.now() - this.clock.startedAt) / 1000, 0.001);
    try {
      await this.deps.db.asAdmin(async (c) => {
        if (page.events.length > 0) await this.projection.handle(page.events, c, this.ctx);
        await this.deps.checkpoints.advanceRebuild(c, this.name, from, page.cursor, page.position, page.events.length, rate);
      });
    } catch (e) {
      if (isTransient(e)) throw e;
      await this.abandon(tables, e);
      return done;
    }
    this.deps.metrics?.rebuildPosition.set({ projection: this.name }, page.position);
    // A rebuild copies history as fast as it can: full pages never wait for the batch window.
    return { progressed: true, behind: page.full };
  }

  /**
   * Shadow reached the head: in one transaction the shadow replaces the live table and its cursor
   * becomes the live checkpoint. Events appended meanwhile are simply next for the live loop.
   */
  private async swap(tables: readonly string[], shadowCursor: string): Promise<void> {
    await this.deps.db.asAdmin(async (c) => {
      // Readers of the live table hold it briefly; don't queue behind a long one forever.
      await c.query(`set local lock_timeout = '5s'`);
      for (const t of tables) await c.query('select cave_projection_swap($1)', [t]);
      await this.deps.checkpoints.completeRebuild(c, this.name, shadowCursor, this.projection.version);
    });
    this.clock = undefined;
    this.deps.log('info', 'rebuild swapped in', { projection: this.name, cursor: shadowCursor });
  }

  private async abandon(tables: readonly string[], e: unknown): Promise<void> {
    const message = errorText(e);
    await this.deps.checkpoints.failRebuild(this.name, message);
    await this.deps.db.asAdmin(async (c) => {
      for (const t of tables) await c.query('select cave_projection_drop_shadow($1)', [t]);
    });
    this.clock = undefined;
    this.deps.metrics?.errors.inc({ projection: this.name, kind: 'rebuild' });
    this.deps.log('error', 'rebuild failed; the live read model is untouched', { projection: this.name, error: message });
  }
}
