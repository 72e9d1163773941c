import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { CAVE_CONFIG, CaveConfig } from '@cave/config';
import { Database } from '@cave/event-store';
import { rm } from 'node:fs/promises';
import { PeerWriter } from '../commands/peer-writer';
import { replicationsReadModel } from '../read-models/replications.read-model';
import { PeerClient } from '../tls/peer-client';
import { PeerNodeService } from '../tls/peer-node.service';
import { JobLease, JobLeases } from './job-leases';
import { JobProgress, ReplicationJob, ReplicationSource } from './replication-job';
import { ReplicationWriter } from './replication-writer';
import { TokenBucket } from './token-bucket';

interface Running {
  job?: ReplicationJob;
  lease?: JobLease;
  done: Promise<void>;
  abort: AbortController;
}

/**
 * Runs replication jobs: new ones at once, and open ones (pending or running) that no instance of this database
 * holds, checked every `claimIntervalMs`: after a restart, and when the daemon running one dies (ADR 0020). A job
 * runs only under its lease, so exactly one instance runs it; it resumes from the chunks its events say were stored
 * (re-verified on disk, never fetched again when they are there).
 */
@Injectable()
export class Replicator implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Replication');
  private readonly jobs = new Map<string, Running>();
  private readonly peerBuckets = new Map<string, TokenBucket>();
  private readonly leases: JobLeases;
  private timer?: NodeJS.Timeout;
  private claiming?: Promise<void>;
  private stopping = false;

  constructor(
    @Inject(CAVE_CONFIG) private readonly config: CaveConfig,
    private readonly db: Database,
    private readonly node: PeerNodeService,
    private readonly client: PeerClient,
    private readonly writer: ReplicationWriter,
    private readonly peers: PeerWriter,
  ) {
    this.leases = new JobLeases(db.admin, (e) => this.leasesLost(e));
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.node.artifacts || !this.client.configured) return;
    await this.claimOpen();
    this.timer = setInterval(() => void this.claimOpen(), this.config.peers.claimIntervalMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    await this.claiming;
    for (const j of this.jobs.values()) j.abort.abort();
    await Promise.all([...this.jobs.values()].map((j) => j.done));
    await this.leases.close();
  }

  progress(jobId: string): JobProgress | undefined {
    return this.jobs.get(jobId)?.job?.progress();
  }

  /** Runs the job here if no instance holds it (a no-op when this one already does). */
  start(jobId: string): Promise<boolean> {
    if (this.stopping) return Promise.resolve(false);
    if (this.jobs.has(jobId)) return Promise.resolve(true);
    const abort = new AbortController();
    // In the map before the first await: a second start of the same job here must not claim it again.
    const entry: Running = { abort, done: Promise.resolve() };
    this.jobs.set(jobId, entry);
    let claimed!: (held: boolean) => void;
    const held = new Promise<boolean>((r) => (claimed = r));
    entry.done = (async () => {
      const lease = await this.leases.claim(jobId).catch((e: Error) => {
        this.logger.warn(`replication ${jobId}: could not claim its lease: ${e.message}`);
        return undefined;
      });
      claimed(lease !== undefined);
      if (!lease) return;
      entry.lease = lease;
      try {
        await this.runJob(jobId, entry, abort.signal);
      } finally {
        // Released while still in the map: a claim in between would find it here, not re-enter the lock.
        await lease.release();
      }
    })()
      .catch((e: Error) => this.logger.error(`replication ${jobId} crashed: ${e.message}`))
      .finally(() => {
        claimed(false);
        this.jobs.delete(jobId);
      });
    return held;
  }

  /** Resolves when the job finished on this instance (tests, the bench). */
  async settled(jobId: string): Promise<void> {
    await this.jobs.get(jobId)?.done;
  }

  /** Claims every open job nobody holds; one pass at a time. */
  private claimOpen(): Promise<void> {
    this.claiming ??= (async () => {
      try {
        const open = await this.db.asAdmin((c) => replicationsReadModel.open(c));
        const free = open.filter((id) => !this.jobs.has(id));
        const won = (await Promise.all(free.map((id) => this.start(id)))).filter(Boolean).length;
        if (won > 0) this.logger.log(`resuming ${won} replication job(s) no instance was running`);
      } catch (e) {
        this.logger.warn(`claiming open replication jobs failed: ${(e as Error).message}`);
      }
    })().finally(() => (this.claiming = undefined));
    return this.claiming;
  }

  /** The lease session died under live jobs: another instance may claim them now, so they stop here. */
  private leasesLost(e: Error): void {
    const held = [...this.jobs.values()].filter((j) => j.lease);
    if (held.length > 0) this.logger.warn(`lost the replication lease session (${e.message}): stopping ${held.length} job(s) until they are claimed again`);
    for (const j of held) j.abort.abort();
  }

  private peerBucket(peerId: string): TokenBucket {
    let b = this.peerBuckets.get(peerId);
    if (!b) this.peerBuckets.set(peerId, (b = new TokenBucket(this.config.peers.peerBandwidthBytesPerSec)));
    return b;
  }

  private async runJob(jobId: string, entry: Running, signal: AbortSignal): Promise<void> {
    const row = await this.db.asAdmin((c) => replicationsReadModel.get(c, jobId));
    const artifacts = this.node.artifacts;
    if (!row || !artifacts) return;
    // Read under the lease: the instance that held it before may have finished the job since the claim listed it.
    const state = await this.writer.state(jobId);
    if (state.status !== 'pending' && state.status !== 'running') return;
    const stored = state.storedChunks;
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
