import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Database, encodeCursor } from '@cave/event-store';
import { HealthCheckResult, HealthContributor, HealthRegistry } from '@cave/observability';
import { RealtimeHub } from './delivery/realtime-hub';
import { EventTail } from './delivery/event-tail';
import { RealtimeMetrics } from './realtime.metrics';
import { REALTIME_OPTIONS, RealtimeOptions } from './realtime.options';
import { slotLagBytes, slotNameForUrl } from './wal/replication-slot';
import { WakeChannel } from './wal/wake-channel';
import { WalLeader } from './wal/wal-leader';
import { RealtimeTransient } from './transient/realtime-transient';

/**
 * Lifecycle of one instance's realtime machinery: the tail (source of every delivered event), the
 * slot leader election and the cross-instance wake channel. Reports itself on /healthz.
 */
@Injectable()
export class RealtimeService implements OnModuleInit, OnApplicationShutdown, HealthContributor {
  readonly name = 'realtime';
  readonly critical = false;
  private readonly logger = new Logger('Realtime');
  private leader?: WalLeader;
  private wake?: WakeChannel;
  readonly slot: string;

  constructor(
    @Inject(REALTIME_OPTIONS) private readonly opts: RealtimeOptions,
    private readonly db: Database,
    private readonly tail: EventTail,
    private readonly hub: RealtimeHub,
    private readonly metrics: RealtimeMetrics,
    private readonly health: HealthRegistry,
    private readonly transient: RealtimeTransient,
  ) {
    this.slot = slotNameForUrl(opts.replicationUrl);
  }

  async onModuleInit(): Promise<void> {
    this.health.register(this);
    await this.tail.start();
    this.transient.start();
    const url = this.opts.replicationUrl;
    if (!url) {
      this.logger.warn('realtime WAL source disabled: no replication login configured; tails poll the table');
      this.tail.setPollInterval(this.opts.fallbackPollMs ?? 200);
      return;
    }
    this.wake = new WakeChannel(url, (cursor) => this.tail.wake(cursor), (msg, err) => this.logger.warn({ err }, msg));
    this.leader = new WalLeader({
      url,
      slot: this.slot,
      metrics: this.metrics,
      log: {
        info: (o, m) => this.logger.log(o, m),
        warn: (o, m) => this.logger.warn(o, m),
        error: (o, m) => this.logger.error(o, m),
      },
      onCommit: (cursor) => {
        this.tail.wake(cursor);
        this.wake?.publish(encodeCursor(cursor));
      },
      onRoleChange: (role) => {
        this.tail.setPollInterval(role === 'disabled' ? (this.opts.fallbackPollMs ?? 200) : (this.opts.pollMs ?? 1000));
        if (role === 'leader') this.tail.wake();
      },
    });
    this.tail.onBatch((_events, cursor) => this.leader?.delivered(cursor));
    this.wake.start();
    this.leader.start();
  }

  async onApplicationShutdown(): Promise<void> {
    this.tail.stop();
    await Promise.all([this.transient.stop(), this.leader?.stop(), this.wake?.stop()]);
  }

  async slotLag(): Promise<number | undefined> {
    return slotLagBytes(this.db.admin, this.slot);
  }

  async check(): Promise<HealthCheckResult> {
    const role = this.leader?.role ?? 'disabled';
    const base = { role, slot: this.slot, sockets: this.hub.connectionCount, tailCursor: encodeCursor(this.tail.cursor) };
    if (role === 'disabled') {
      return { status: 'disabled', ...base, error: this.leader?.reason ?? 'no replication login configured', delivery: 'polling' };
    }
    const { rows } = await this.db.admin.query<{ active: boolean; lag: string | null; wal_status: string | null }>(
      `select active, wal_status, pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::text as lag
       from pg_replication_slots where slot_name = $1`,
      [this.slot],
    );
    const slot = rows[0];
    const lagBytes = slot?.lag != null ? Math.max(0, Number(slot.lag)) : undefined;
    const up = slot !== undefined && slot.active && slot.wal_status !== 'lost';
    return {
      status: up ? 'up' : 'down',
      ...base,
      slotActive: slot?.active ?? false,
      walStatus: slot?.wal_status ?? 'missing',
      ...(lagBytes !== undefined && { lagBytes }),
      ...(!up && { error: slot ? 'no instance is streaming from the slot' : 'replication slot does not exist yet' }),
    };
  }
}
