import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { CAVE_CONFIG, CaveConfig } from '@cave/config';
import { Database } from '@cave/event-store';
import { PEERS_NAMESPACE } from '../contracts/peer.events';
import { PeerWriter } from '../commands/peer-writer';
import { PeerClient } from '../tls/peer-client';

/**
 * Polls `GET /peer/v1/health` of every registered peer over mutual TLS: the observation (last seen, RTT, free
 * disk, memory) overwrites `peer_health`; a change of reachability is a `peer_status_changed` event.
 */
@Injectable()
export class PeerHealthPoller implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Peers');
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    @Inject(CAVE_CONFIG) private readonly config: CaveConfig,
    private readonly db: Database,
    private readonly client: PeerClient,
    private readonly writer: PeerWriter,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.running ??= this.pollAll()
        .catch((e: Error) => this.logger.warn(`peer health poll failed: ${e.message}`))
        .finally(() => (this.running = undefined));
    }, this.config.peers.healthIntervalMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  async pollAll(): Promise<void> {
    const peers = await this.db.asAdmin(async (c) => (await c.query<{ id: string; url: string }>('select id, url from peers where removed_at is null')).rows);
    await Promise.all(peers.map((p) => this.pollOne(p.id, p.url).catch((e: Error) => this.logger.warn(`peer ${p.id}: ${e.message}`))));
  }

  async pollOne(peerId: string, url: string): Promise<void> {
    const now = new Date();
    try {
      const { health, rttMs, nodeId } = await this.client.health(url);
      await this.db.asAdmin((c) =>
        c.query(
          `insert into peer_health (peer_id, namespace, last_seen_at, rtt_ms, free_disk_bytes, total_memory_bytes, free_memory_bytes, checked_at, error)
           values ($1, $2, $3, $4, $5, $6, $7, $3, null)
           on conflict (peer_id) do update set last_seen_at = excluded.last_seen_at, rtt_ms = excluded.rtt_ms, free_disk_bytes = excluded.free_disk_bytes,
             total_memory_bytes = excluded.total_memory_bytes, free_memory_bytes = excluded.free_memory_bytes, checked_at = excluded.checked_at, error = null`,
          [peerId, PEERS_NAMESPACE, now, rttMs, health.freeDiskBytes, health.totalMemoryBytes, health.freeMemoryBytes],
        ),
      );
      await this.writer.run(peerId, { type: 'record_status', data: { peerId, status: 'up', nodeId: nodeId ?? null, error: null, now } });
    } catch (e) {
      const error = (e as Error).message.slice(0, 200);
      await this.db.asAdmin((c) =>
        c.query(
          `insert into peer_health (peer_id, namespace, checked_at, error) values ($1, $2, $3, $4)
           on conflict (peer_id) do update set checked_at = excluded.checked_at, error = excluded.error`,
          [peerId, PEERS_NAMESPACE, now, error],
        ),
      );
      await this.writer.run(peerId, { type: 'record_status', data: { peerId, status: 'down', nodeId: null, error, now } });
    }
  }
}
