import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Notification, PoolClient } from 'pg';
import { Database, EventStore, withClient } from '@cave/event-store';
import { CheckpointStore, errorText } from './checkpoint.store';
import { isRebuildable, Projection } from './projection';
import { ProjectionMetrics } from './projection.metrics';
import { ProjectionRegistry } from './projection.registry';
import { ProjectionLogger, ProjectionRunner } from './projection.runner';
import { SharedLog } from './shared-log';

/** NOTIFY channel meaning "events were appended; read again". Payload unused. */
export const EVENTS_CHANNEL = 'cave_events';
/** NOTIFY channel carrying a projection name whose checkpoint an admin changed (retry/skip/rebuild). */
export const CONTROL_CHANNEL = 'cave_projection_control';

export interface ProjectionRuntimeOptions {
  /** Shown as `leader` in the admin API. Default: host:pid:random. */
  instanceId?: string;
  /** Safety-net poll interval of each runner (ms). Wake-ups normally come from NOTIFY. */
  pollMs?: number;
  /**
   * Under a steady stream of appends, each runner applies what arrived in this many milliseconds as one
   * batch (default 20) instead of one transaction per wake-up. A projection's lag grows by at most this.
   */
  batchWindowMs?: number;
  /**
   * A filtered projection that only passes over rows it does not want writes that move of its checkpoint at
   * most this often (default 1000 ms) instead of once per batch window; see `RunnerDeps.skipPersistMs`.
   */
  skipPersistMs?: number;
  /** How often a follower tries to take over leadership (ms). */
  leaderRetryMs?: number;
  metrics?: ProjectionMetrics;
  log?: ProjectionLogger;
}

/**
 * Leads projections across daemon instances. Each projection is led by the one instance holding the
 * session-level advisory lock (`cave:projection`, name) on this runtime's dedicated connection; the
 * same connection LISTENs for wake-ups. When that connection dies, Postgres drops the locks and the
 * other instances' next attempt (every `leaderRetryMs`) takes over. See docs/adr/0006.
 */
export class ProjectionRuntime {
  readonly instanceId: string;
  private readonly checkpoints: CheckpointStore;
  /** The live tracks' shared read of the newest rows. */
  private readonly sharedLog: SharedLog;
  private readonly runners = new Map<string, ProjectionRunner>();
  /** Runners taken out of `runners` whose stop() has not returned yet. */
  private readonly stopping = new Set<Promise<void>>();
  private leaderClient?: PoolClient;
  /** The dedicated connection's lifetime: `close` ends it (on stop), `ended` resolves once it was released. */
  private session?: { close: () => void; ended: Promise<void> };
  private timer?: NodeJS.Timeout;
  private tickDone: Promise<void> = Promise.resolve();
  private running = false;
  private notifyPending = false;
  private readonly log: ProjectionLogger;
  private readonly pollMs: number;
  private readonly leaderRetryMs: number;
  /**
   * At most one wake-up (local runners and one NOTIFY) per this many ms: the batch window (at least 5 ms). A runner
   * applies what arrived in a batch window anyway, so waking it more often only costs round trips.
   */
  private readonly notifyEveryMs: number;
  /** Ticks failed in a row (database down): the next waits leaderRetryMs * 2^n, at most 5 s. */
  private failedTicks = 0;

  constructor(
    private readonly db: Database,
    private readonly store: EventStore,
    private readonly registry: ProjectionRegistry,
    private readonly opts: ProjectionRuntimeOptions = {},
  ) {
    this.instanceId = opts.instanceId ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
    this.checkpoints = new CheckpointStore(db.admin);
    this.sharedLog = new SharedLog(store);
    this.log = opts.log ?? (() => undefined);
    this.pollMs = opts.pollMs ?? 2_000;
    this.leaderRetryMs = opts.leaderRetryMs ?? 1_000;
    this.notifyEveryMs = Math.max(5, opts.batchWindowMs ?? 20);
    store.onAppend(() => this.onLocalAppend());
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.runTick();
  }

  /**
   * Lets the batches in flight finish, releases leadership and the dedicated connection. Also waits for
   * runners a lost connection is already stopping: returning before they finish would let a caller close
   * the pools under a batch in flight.
   */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    await this.tickDone;
    await this.stopRunners();
    const session = this.session;
    this.session = undefined;
    session?.close();
    await session?.ended;
  }

  isLeading(name: string): boolean {
    return this.runners.has(name);
  }

  leading(): string[] {
    return [...this.runners.keys()];
  }

  /** Wake the local runner of `name` now, to read its checkpoint again (after an admin action). */
  wake(name?: string): void {
    if (name === undefined) for (const r of this.runners.values()) r.wake();
    else this.runners.get(name)?.reload();
  }

  private runTick(): Promise<void> {
    this.tickDone = this.tick()
      .then(
        () => {
          if (this.failedTicks > 0) this.log('info', 'projection leadership ticks work again', { failedTicks: this.failedTicks });
          this.failedTicks = 0;
        },
        (e: unknown) => {
          this.failedTicks++;
          this.log('warn', 'projection leadership tick failed', { error: errorText(e), failedTicks: this.failedTicks });
        },
      )
      .finally(() => {
        const wait = Math.min(this.leaderRetryMs * 2 ** this.failedTicks, Math.max(this.leaderRetryMs, 5_000));
        if (this.running) this.timer = setTimeout(() => void this.runTick(), wait);
      });
    return this.tickDone;
  }

  private async tick(): Promise<void> {
    const client = this.leaderClient ?? (await this.connect());
    for (const p of this.registry.all()) {
      if (!this.running || client !== this.leaderClient) return;
      if (this.runners.has(p.name)) continue;
      const { rows } = await client.query<{ ok: boolean }>(`select pg_try_advisory_lock(hashtext('cave:projection'), hashtext($1)) as ok`, [p.name]);
      if (rows[0].ok) await this.lead(p, client);
    }
  }

  /**
   * Checks out the dedicated connection and keeps it until it is lost or the runtime stops. It is
   * always destroyed afterwards, never pooled: it carries LISTEN and the session-level locks.
   */
  private connect(): Promise<PoolClient> {
    let close!: () => void;
    const closed = new Promise<'closed'>((r) => (close = () => r('closed')));
    return new Promise<PoolClient>((resolve, reject) => {
      const ended = withClient(this.db.admin, async (client, lease) => {
        lease.discard();
        client.on('notification', (n: Notification) => this.onNotification(n));
        await client.query(`listen ${EVENTS_CHANNEL}; listen ${CONTROL_CHANNEL}`);
        this.leaderClient = client;
        this.session = { close, ended };
        resolve(client);
        const end = await Promise.race([lease.whenLost, closed]);
        if (this.leaderClient === client) this.leaderClient = undefined;
        if (end === 'closed') {
          await client.query('select pg_advisory_unlock_all()').catch(() => undefined);
          return;
        }
        if (this.session?.ended === ended) this.session = undefined;
        if (this.runners.size > 0) this.log('warn', 'lost the leadership connection; stepping down', { error: errorText(end), projections: this.leading() });
        await this.stopRunners();
      }).catch(reject);
    });
  }

  /** `client` holds the lock just taken; if it was lost or the runtime stopped meanwhile, nobody leads. */
  private async lead(p: Projection, client: PoolClient): Promise<void> {
    const cp = await this.checkpoints.ensure(p.name, p.version);
    if (cp.version < p.version && !isRebuildable(p)) {
      this.log('warn', 'projection version changed but it is not rebuildable; continuing from its checkpoint', { projection: p.name, from: cp.version, to: p.version });
    } else if (cp.version < p.version && cp.rebuildStatus !== 'requested' && cp.rebuildStatus !== 'running') {
      this.log('info', 'projection version changed; rebuilding', { projection: p.name, from: cp.version, to: p.version });
      await this.checkpoints.requestRebuild(this.db.admin, p.name);
    }
    await this.checkpoints.setLeader(p.name, this.instanceId);
    // The awaits above take a while: a runner started after its lock went with a lost connection (or
    // after stop() took the runners) would run unled, beside the new leader, and outlive stop().
    if (!this.running || this.leaderClient !== client) return;
    const runner = new ProjectionRunner(p, {
      db: this.db,
      store: this.store,
      checkpoints: this.checkpoints,
      metrics: this.opts.metrics,
      log: this.log,
      pollMs: this.pollMs,
      batchWindowMs: this.opts.batchWindowMs ?? 20,
      skipPersistMs: this.opts.skipPersistMs ?? 1_000,
      sharedLog: this.sharedLog,
    });
    this.runners.set(p.name, runner);
    runner.start();
    this.log('info', 'leading projection', { projection: p.name, instance: this.instanceId });
  }

  /** Stops the current runners and waits for every stop in progress, including ones begun elsewhere. */
  private async stopRunners(): Promise<void> {
    const runners = [...this.runners.values()];
    this.runners.clear();
    const done = Promise.all(runners.map((r) => r.stop())).then(() => undefined);
    this.stopping.add(done);
    const forget = () => void this.stopping.delete(done);
    done.then(forget, forget);
    await Promise.all([...this.stopping]);
  }

  private onNotification(n: Notification): void {
    if (n.channel === EVENTS_CHANNEL) this.wake();
    else if (n.channel === CONTROL_CHANNEL && n.payload) this.wake(n.payload);
  }

  /**
   * Appends made by this process wake the local runners and, with one NOTIFY, the other instances (and `cave events
   * tail`) once per batch window, the first append after a quiet stretch included. The followers' work an append
   * causes (the audit entry, read-model rows, their checkpoints: several round trips and commits) then runs after the
   * request that appended it and the ones right behind it, instead of competing with them for the cores, and the
   * window's appends share its batches. Lag stays within the batch window, as it does under a steady stream of
   * appends. NOTIFY is deliberately not a trigger on `events`: a notifying commit takes a database-wide lock, which
   * would serialise every append (ADR 0006). With `batchWindowMs: 0` local runners follow every append at once.
   */
  private onLocalAppend(): void {
    if (this.opts.batchWindowMs === 0) this.wake();
    if (this.notifyPending) return;
    this.notifyPending = true;
    setTimeout(() => {
      this.notifyPending = false;
      if (this.opts.batchWindowMs !== 0) this.wake();
      this.db.admin.query(`select pg_notify('${EVENTS_CHANNEL}', '')`).catch(() => undefined);
    }, this.notifyEveryMs).unref();
  }
}
