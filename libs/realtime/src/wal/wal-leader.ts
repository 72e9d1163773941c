import { Client } from 'pg';
import { PgoutputPlugin } from 'pg-logical-replication';
import { compareCursors, EventCursor, WakeLoop } from '@cave/event-store';
import { RealtimeMetrics } from '../realtime.metrics';
import { AckTracker } from './ack-tracker';
import { ReplicationService } from './replication-service';
import { createSlot, dropSlot, inspectSlot, isSlotLostError, PUBLICATION } from './replication-slot';

export type WalRole = 'starting' | 'leader' | 'follower' | 'reconnecting' | 'disabled' | 'stopped';

export interface WalLeaderLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface WalLeaderOptions {
  /** Login of a role with REPLICATION (docs/adr/0008). */
  url: string;
  slot: string;
  metrics: RealtimeMetrics;
  log: WalLeaderLog;
  /** A transaction with events committed, up to this cursor. */
  onCommit(cursor: EventCursor): void;
  onRoleChange?(role: WalRole): void;
}

const FOLLOWER_RETRY_MS = 1000;
const DISABLED_RECHECK_MS = 60_000;

/**
 * Leads the logical replication slot when it holds the advisory lock (one leader per database;
 * the lock dies with the leader's session, so another instance takes over within a second).
 * Reads pgoutput with manual acknowledgement only: an LSN is confirmed when the tail has delivered
 * every event committed up to it (`delivered`), and keepalives are answered here, never by the
 * library's timer (which would confirm undelivered changes).
 */
export class WalLeader {
  role: WalRole = 'starting';
  reason?: string;
  private lock?: Client;
  private service?: ReplicationService;
  private readonly acks = new AckTracker();
  private hadSlot = false;
  /** One replication session per step; a lost one is retried with backoff. */
  private readonly loop = new WakeLoop(() => this.step(), {
    unref: true,
    onError: (e, retryMs) => {
      this.opts.metrics.walReconnects.inc();
      this.opts.log.warn({ err: e, slot: this.opts.slot, retryMs }, 'realtime replication stream lost; reconnecting');
      this.setRole('reconnecting');
    },
  });

  constructor(private readonly opts: WalLeaderOptions) {}

  private get stopped(): boolean {
    return this.loop.stopped;
  }

  start(): void {
    this.loop.start();
  }

  /** Ends the session in flight; does not wait for the loop to notice (a connect may hang on a dead host). */
  async stop(): Promise<void> {
    void this.loop.stop();
    this.setRole('stopped');
    await this.service?.stop().catch(() => undefined);
    await this.lock?.end().catch(() => undefined);
  }

  /** The tail delivered everything up to `cursor`: confirm what became safe. */
  delivered(cursor: EventCursor): void {
    const lsn = this.acks.delivered(cursor);
    if (lsn !== undefined) void this.service?.acknowledge(lsn).catch(() => undefined);
  }

  private async step(): Promise<{ ms: number; wakeable: false }> {
    try {
      return { ms: await this.session(), wakeable: false };
    } finally {
      this.opts.metrics.slotLeader.set(0);
    }
  }

  /** One connection lifetime. Returns how long to wait before the next one. */
  private async session(): Promise<number> {
    const lock = new Client({ connectionString: this.opts.url, application_name: 'cave-realtime-lock' });
    lock.on('error', () => undefined);
    this.lock = lock;
    await lock.connect();
    try {
      const { rows } = await lock.query<{ wal: string; repl: boolean }>(
        `select current_setting('wal_level') as wal,
                (select rolreplication or rolsuper from pg_roles where rolname = current_user) as repl`,
      );
      if (rows[0].wal !== 'logical' || !rows[0].repl) {
        const reason =
          rows[0].wal !== 'logical'
            ? `wal_level is "${rows[0].wal}", not "logical"; set wal_level = logical and restart PostgreSQL`
            : 'the replication role lacks the REPLICATION attribute; run ALTER ROLE cave_replicator REPLICATION as a superuser';
        if (this.role !== 'disabled') this.opts.log.warn({ slot: this.opts.slot }, `realtime WAL source disabled: ${reason}; tails poll the table instead`);
        this.reason = reason;
        this.setRole('disabled');
        return DISABLED_RECHECK_MS;
      }
      for (;;) {
        if (this.stopped) return 0;
        const got = await lock.query<{ ok: boolean }>(`select pg_try_advisory_lock(hashtext($1)) as ok`, [`cave:realtime:${this.opts.slot}`]);
        if (got.rows[0].ok) break;
        this.setRole('follower');
        await this.loop.sleep(FOLLOWER_RETRY_MS, false);
      }
      this.reason = undefined;
      await this.ensureSlot(lock);
      await this.stream(lock);
      return 100;
    } finally {
      this.lock = undefined;
      await lock.end().catch(() => undefined);
    }
  }

  private async ensureSlot(c: Client): Promise<void> {
    const state = await inspectSlot(c, this.opts.slot);
    if (state.exists && !state.lost) return;
    if (state.lost || this.hadSlot) {
      const reason = state.lost ? 'lost' : 'missing';
      this.opts.metrics.slotRecreated.inc({ reason });
      this.opts.log.error(
        { slot: this.opts.slot, reason },
        `realtime replication slot ${reason}: recreating it. No event is lost (delivery reads the events table), ` +
          'but wake-ups for commits in between were; tails re-read the table now',
      );
      if (state.lost) await dropSlot(c, this.opts.slot);
    } else {
      this.opts.log.info({ slot: this.opts.slot }, 'creating realtime replication slot');
    }
    await createSlot(c, this.opts.slot);
  }

  private async stream(lock: Client): Promise<void> {
    const service = new ReplicationService(
      { connectionString: this.opts.url, application_name: 'cave-realtime-wal' },
      { acknowledge: { auto: false, timeoutSeconds: 0 } },
    );
    const plugin = new PgoutputPlugin({ protoVersion: 1, publicationNames: [PUBLICATION] });
    this.acks.reset();
    let txMax: EventCursor | undefined;
    let lastReply: string | undefined;
    service.on('data', (_lsn: string, msg: { tag: string; [k: string]: unknown }) => {
      if (msg.tag === 'begin') txMax = undefined;
      else if (msg.tag === 'insert') {
        const row = msg.new as { transaction_id: unknown; global_position: unknown };
        const c = { transactionId: BigInt(String(row.transaction_id)), globalPosition: BigInt(String(row.global_position)) };
        if (!txMax || compareCursors(c, txMax) > 0) txMax = c;
      } else if (msg.tag === 'commit' && txMax) {
        this.acks.received(String(msg.commitEndLsn), txMax);
        this.opts.onCommit(txMax);
        txMax = undefined;
      }
    });
    service.on('heartbeat', (lsn: string, _ts: number, shouldRespond: boolean) => {
      const reply = this.acks.keepalive(lsn);
      if (reply !== undefined && (shouldRespond || reply !== lastReply)) {
        lastReply = reply;
        void service.acknowledge(reply).catch(() => undefined);
      } else if (shouldRespond) void service.acknowledge('0/0').catch(() => undefined);
    });
    let failure: unknown;
    service.on('error', (e: unknown) => {
      failure ??= e;
    });
    service.on('start', () => {
      this.hadSlot = true;
      this.opts.metrics.slotLeader.set(1);
      this.setRole('leader');
      this.opts.log.info({ slot: this.opts.slot }, 'realtime leads the replication slot');
    });
    this.service = service;
    // The lock session is our leadership. When it dies (server shutdown, network), stop streaming at
    // once: another instance may lead now, and a fast shutdown would otherwise wait for this
    // walsender until wal_sender_timeout, because undelivered changes are never confirmed.
    const lost = () => {
      failure ??= new Error('advisory lock session lost');
      void service.stop().catch(() => undefined);
    };
    lock.once('end', lost);
    lock.once('error', lost);
    try {
      await service.subscribe(plugin, this.opts.slot);
    } catch (e) {
      failure ??= e;
    } finally {
      lock.off('end', lost);
      lock.off('error', lost);
      this.service = undefined;
      // stop(), not destroy(): our error listener must outlive the connection (EventEmitter2 throws on unheard errors).
      await service.stop().catch(() => undefined);
    }
    if (failure !== undefined && !this.stopped) {
      if (isSlotLostError(failure)) this.hadSlot = true;
      throw failure;
    }
  }

  private setRole(role: WalRole): void {
    if (this.role === role) return;
    this.role = role;
    this.opts.onRoleChange?.(role);
  }
}
