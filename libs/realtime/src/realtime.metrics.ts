import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { backgroundSample } from '@cave/observability';

/** Realtime metrics, registered in the app's registry (see @cave/observability). */
export class RealtimeMetrics {
  readonly delivered: Counter;
  readonly sockets: Gauge;
  readonly subscribers: Gauge<'namespace' | 'channel'>;
  readonly slotLagBytes: Gauge;
  readonly slotLeader: Gauge;
  readonly slotRecreated: Counter<'reason'>;
  readonly walReconnects: Counter;
  readonly deliveryLatency: Histogram;

  constructor(registry: Registry, slotLag: () => Promise<number | undefined>) {
    const registers = [registry];
    this.delivered = new Counter({ name: 'cave_realtime_events_delivered_total', help: 'Events emitted to Socket.IO subscribers (one per subscription)', registers });
    this.sockets = new Gauge({ name: 'cave_realtime_connected_sockets', help: 'Authenticated sockets on /realtime of this instance', registers });
    this.subscribers = new Gauge({
      name: 'cave_realtime_channel_subscribers',
      help: 'Subscriptions per channel on this instance (stream channels collapse to stream:*)',
      labelNames: ['namespace', 'channel'] as const,
      registers,
    });
    const slotLagSample = backgroundSample(slotLag);
    this.slotLagBytes = new Gauge({
      name: 'cave_realtime_slot_lag_bytes',
      help: 'WAL bytes between the server position and the slot confirmed position (-1: no slot)',
      registers,
      collect() {
        // Off the database's critical path: a scrape never waits for it.
        this.set(slotLagSample());
      },
    });
    this.slotLeader = new Gauge({ name: 'cave_realtime_slot_leader', help: '1 when this instance holds the replication slot', registers });
    this.slotRecreated = new Counter({
      name: 'cave_realtime_slot_recreated_total',
      help: 'Times the replication slot was found lost or missing and recreated',
      labelNames: ['reason'] as const,
      registers,
    });
    this.walReconnects = new Counter({ name: 'cave_realtime_wal_reconnects_total', help: 'Replication stream (re)connections after an error', registers });
    this.deliveryLatency = new Histogram({
      name: 'cave_realtime_delivery_seconds',
      help: 'From the tail read returning an event to its emit on every subscriber of this instance',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1],
      registers,
    });
  }
}
