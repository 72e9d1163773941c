import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { CAVE_CONFIG, CaveConfig } from '@cave/config';
import { Database } from '@cave/event-store';
import { rm } from 'node:fs/promises';
import { PeerWriter } from '../commands/peer-writer';
import { replicationsReadModel } from '../read-models/replications.read-model';
import { PeerClient } from '../tls/peer-client';
import { PeerNodeService } from '../tls/peer-node.service';
import { JobProgress, ReplicationJob, ReplicationSource } from './replication-job';
import { ReplicationWriter } from './replication-writer';
import { TokenBucket } from './token-bucket';

/**
 * Runs replication jobs on this instance: new ones at once, open ones (pending or running) again after a restart,
 * resuming from the chunks their events say were stored (re-verified on disk, never fetched again).
 */
@Injectable()
export class Replicator implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Replication');
  private readonly jobs = new Map<string, { job?: ReplicationJob; done: Promise<void>; abort: AbortController }>();
  private readonly peerBuckets = new Map<string, TokenBucket>();

  constructor(
    @Inject(CAVE_CONFIG) private readonly config: CaveConfig,
    private readonly db: Database,
    private readonly node: PeerNodeService,
    private readonly client: PeerClient,
    private readonly writer: ReplicationWriter,
    private readonly peers: PeerWriter,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.node.artifacts || !this.client.configured) return;
    const open = await this.db.asAdmin((c) => replicationsReadModel.open(c));
    for (const id of open) this.start(id);
    if (open.length > 0) this.logger.log(`resuming ${open.length} replication job(s)`);
  }

  async onApplicationShutdown(): Promise<void> {
    for (const j of this.jobs.values()) j.abort.abort();
    await Promise.all([...this.jobs.values()].map((j) => j.done));
  }

  progress(jobId: string): JobProgress | undefined {
    return this.jobs.get(jobId)?.job?.progress();
  }

  start(jobId: string): void {
    if (this.jobs.has(jobId)) return;
    const abort = new AbortController();
    const entry: { job?: ReplicationJob; done: Promise<void>; abort: AbortController } = { abort, done: Promise.resolve() };
    entry.done = this.runJob(jobId, entry, abort.signal)
      .catch((e: Error) => this.logger.error(`replication ${jobId} crashed: ${e.message}`))
      .finally(() => this.jobs.delete(jobId));
    this.jobs.set(jobId, entry);
  }

  /** Resolves when the job finished on this instance (tests, the bench). */
  async settled(jobId: string): Promise<void> {
    await this.jobs.get(jobId)?.done;
  }

  private peerBucket(peerId: string): TokenBucket {
    let b = this.peerBuckets.get(peerId);
    if (!b) this.peerBuckets.set(peerId, (b = new TokenBucket(this.config.peers.peerBandwidthBytesPerSec)));
    return b;
  }

  private async runJob(jobId: string, entry: { job?: ReplicationJob }, signal: AbortSignal): Promise<void> {
    const row = await this.db.asAdmin((c) => replicationsReadModel.get(c, jobId));
    const artifacts = this.node.artifacts;
    if (!row || !artifacts) return;
    const state = await this.writer.state(jobId);
    const stored = state.status === 'absent' ? new Set<number>() : state.storedChunks;
    const limit = [row.maxBytesPerSec, this.config.peers.jobBandwidthBytesPerSec].filter((n) => n > 0);
    const job = new ReplicationJob(
      jobId,
      row.artifactSha256,
      {
        client: this.client,
        writer: this.writer,
        artifacts,
        dataDir: this.node.dataDir,
        peerBucket: (id) => this.peerBucket(id),
        markUnreliable: async (peerId, n) => {
          await this.peers.run(peerId, { type: 'mark_unreliable', data: { peerId, corruptChunks: n, now: new Date() } });
        },
        settings: { concurrencyPerSource: this.config.peers.concurrencyPerSource, corruptLimit: this.config.peers.corruptLimit, maxRoundsPerChunk: 3 },
      },
      limit.length === 0 ? 0 : Math.min(...limit),
      signal,
    );
    entry.job = job;
    const sources = await this.sources(row.artifactSha256);
    await job.run(sources, stored);
    if (!signal.aborted) {
      const after = await this.db.asAdmin((c) => replicationsReadModel.get(c, jobId));
      if (after?.status === 'completed') await rm(job.dir, { recursive: true, force: true });
    }
  }

  /** Registered, reachable, reliable peers that hold the artifact, weighted by their memory. */
  private async sources(artifactSha256: string): Promise<ReplicationSource[]> {
    const peers = await this.db.asAdmin(
      async (c) =>
        (
          await c.query<{ id: string; url: string; total_memory_bytes: string | null }>(
            `select p.id, p.url, h.total_memory_bytes from peers p left join peer_health h on h.peer_id = p.id
             where p.removed_at is null and not p.unreliable order by p.id`,
          )
        ).rows,
    );
    const found = await Promise.all(
      peers.map(async (p) => {
        try {
          const inv = await this.client.inventory(p.url);
          const signed = inv.find((s) => s?.manifest?.sha256 === artifactSha256);
          return signed ? { peerId: p.id, url: p.url, weight: Number(p.total_memory_bytes ?? 0), signed } : undefined;
        } catch (e) {
          this.logger.warn(`peer ${p.id} inventory failed: ${(e as Error).message}`);
          return undefined;
        }
      }),
    );
    return found.filter((s): s is ReplicationSource => s !== undefined);
  }
}
