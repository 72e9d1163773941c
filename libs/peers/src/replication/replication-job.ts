import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { FileHandle, mkdir, open } from 'node:fs/promises';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { DomainError } from '@cave/kernel';
import type { ModelArtifacts, SignedManifest } from '@cave/models';
import {
  REPLICATION_CHUNK_FAILED,
  REPLICATION_COMPLETED,
  REPLICATION_FAILED,
  REPLICATION_STARTED,
} from '../contracts/peer.events';
import { assignChunks, nextOnRing } from '../domain/weighted-ring';
import { PeerClient, PeerRequestError } from '../tls/peer-client';
import { JobJournal } from './job-journal';
import { ReplicationWriter } from './replication-writer';
import { TokenBucket } from './token-bucket';

/** A peer that holds the artifact, with its ring weight (memory). */
export interface ReplicationSource {
  peerId: string;
  url: string;
  weight: number;
  signed: SignedManifest;
}

export interface JobSettings {
  concurrencyPerSource: number;
  corruptLimit: number;
  /** Rounds over all sources a chunk may fail before the job fails. */
  maxRoundsPerChunk: number;
}

export interface JobProgress {
  doneBytes: number;
  doneChunks: number;
  totalBytes: number;
  totalChunks: number;
  failedChunks: number;
  bySource: Record<string, number>;
  bytesPerSec: number;
  etaSeconds: number | null;
}

/** A failure that ends the job with a stable code. */
export class JobFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const FLUSH_MS = 1_000;

/**
 * One replication run: verify the manifest, check what a previous run already stored, spread the missing chunks
 * over the sources by the memory-weighted ring, fetch them in parallel (idle sources take from the tail of the
 * busiest queue), verify each chunk's sha256 before it is written at its offset, retry a failed or corrupt chunk
 * on the next source of the ring, then hash the whole artifact and hand it to the registry.
 */
export class ReplicationJob {
  private readonly logger = new Logger('Replication');
  private readonly queues = new Map<string, number[]>();
  private readonly live = new Set<string>();
  private readonly failedOn = new Map<number, Set<string>>();
  private readonly rounds = new Map<number, number>();
  private readonly corrupt = new Map<string, number>();
  private readonly consecutiveErrors = new Map<string, number>();
  private readonly done = new Set<number>();
  /** Chunks the job's events already count as stored (by this or another instance). */
  private journaled: ReadonlySet<number> = new Set();
  private readonly bySource: Record<string, number> = {};
  private readonly journal: JobJournal;
  private inFlight = 0;
  private wake: Array<() => void> = [];
  private fatal?: JobFailure;
  private startedAt = 0;
  private bytesThisRun = 0;
  private manifest?: SignedManifest['manifest'];
  private readonly jobBucket: TokenBucket;

  constructor(
    readonly jobId: string,
    private readonly artifactSha256: string,
    private readonly deps: {
      client: PeerClient;
      writer: ReplicationWriter;
      artifacts: ModelArtifacts;
      dataDir: string;
      peerBucket: (peerId: string) => TokenBucket;
      markUnreliable: (peerId: string, corruptChunks: number) => Promise<void>;
      settings: JobSettings;
    },
    maxBytesPerSec: number,
    private readonly signal: AbortSignal,
  ) {
    this.jobBucket = new TokenBucket(maxBytesPerSec);
    this.journal = new JobJournal(jobId, deps.writer);
  }

  get dir(): string {
    return join(this.deps.dataDir, 'peers', 'replications', this.jobId);
  }

  progress(): JobProgress | undefined {
    const m = this.manifest;
    if (!m) return undefined;
    let doneBytes = 0;
    for (const i of this.done) doneBytes += this.chunkLength(i);
    const seconds = Math.max((performance.now() - this.startedAt) / 1000, 0.001);
    const rate = this.bytesThisRun / seconds;
    const left = m.sizeBytes - doneBytes;
    return {
      doneBytes,
      doneChunks: this.done.size,
      totalBytes: m.sizeBytes,
      totalChunks: m.chunks.length,
      failedChunks: [...this.rounds.values()].length,
      bySource: { ...this.bySource },
      bytesPerSec: Math.round(rate),
      etaSeconds: left === 0 ? 0 : rate > 0 ? Math.round(left / rate) : null,
    };
  }

  private chunkLength(i: number): number {
    const m = this.manifest!;
    return Math.min(m.chunkSize, m.sizeBytes - i * m.chunkSize);
  }

  /** Runs to completion or failure (recorded as events). Resolves early, recording nothing more, when aborted. */
  async run(sources: ReplicationSource[], storedBefore: ReadonlySet<number>): Promise<void> {
    try {
      await this.execute(sources, storedBefore);
    } catch (e) {
      if (this.signal.aborted) return;
      const code = e instanceof JobFailure ? e.code : e instanceof DomainError ? e.code : 'PEERS.REPLICATION_ERROR';
      const message = (e as Error).message.slice(0, 500);
      this.logger.warn(`replication ${this.jobId} failed: ${code} ${message}`);
      await this.journal.record({ type: REPLICATION_FAILED, data: { jobId: this.jobId, code, error: message, failedAt: new Date().toISOString() } });
    }
  }

  private async execute(sources: ReplicationSource[], storedBefore: ReadonlySet<number>): Promise<void> {
    if (sources.length === 0) throw new JobFailure('PEERS.NO_SOURCE', `no reachable peer holds the artifact ${this.artifactSha256}`);
    const signed = sources[0].signed;
    const m = signed.manifest;
    if (m.sha256 !== this.artifactSha256) throw new JobFailure('PEERS.MANIFEST_MISMATCH', 'the peer served a manifest of another artifact');
    if (!Number.isSafeInteger(m.sizeBytes) || m.sizeBytes < 1 || !Number.isSafeInteger(m.chunkSize) || m.chunkSize < 1 || m.chunks.length !== Math.ceil(m.sizeBytes / m.chunkSize)) {
      throw new JobFailure('PEERS.MANIFEST_INVALID', 'the manifest chunk list does not match its size');
    }
    // Signature and trusted publisher before the first chunk byte; the registry checks again at registration.
    await this.deps.artifacts.verifyManifest(signed);
    // Only sources presenting the very same signed manifest serve chunks: their chunk list is the one verified.
    // Compared with sorted keys: a registry that stores it as jsonb hands its keys back reordered.
    const canonical = sortedJson(m);
    const same = sources.filter((s) => s.signed.signature === signed.signature && sortedJson(s.signed.manifest) === canonical);
    this.manifest = m;
    await mkdir(this.dir, { recursive: true });
    const path = join(this.dir, 'artifact');
    const file = await open(path, 'a+').then(async (f) => {
      await f.close();
      return open(path, 'r+');
    });
    try {
      await file.truncate(m.sizeBytes);
      this.journaled = storedBefore;
      for (const i of storedBefore) if (await this.verifyStored(file, i)) this.done.add(i);
      const missing = m.chunks.map((_, i) => i).filter((i) => !this.done.has(i));
      const plan = assignChunks(m.chunks.length, same.map((s) => ({ id: s.peerId, weight: s.weight })));
      for (const s of same) {
        this.queues.set(s.peerId, (plan.get(s.peerId) ?? []).filter((i) => !this.done.has(i)));
        this.live.add(s.peerId);
      }
      this.startedAt = performance.now();
      await this.journal.record({
        type: REPLICATION_STARTED,
        data: {
          jobId: this.jobId,
          name: m.name,
          version: m.version,
          sizeBytes: m.sizeBytes,
          chunkCount: m.chunks.length,
          sources: same.map((s) => ({ peerId: s.peerId, weight: s.weight, assignedChunks: this.queues.get(s.peerId)!.length })),
          resumedChunks: this.done.size,
          startedAt: new Date().toISOString(),
        },
      });
      this.logger.log(
        `replication ${this.jobId}: ${m.name}@${m.version} ${missing.length}/${m.chunks.length} chunks to fetch from ${same.length} peers (${same.map((s) => `${s.peerId}:${this.queues.get(s.peerId)!.length}`).join(', ')})`,
      );
      const flusher = setInterval(() => void this.flush().catch(() => undefined), FLUSH_MS);
      try {
        const byId = new Map(same.map((s) => [s.peerId, s]));
        const workers = same.flatMap((s) => Array.from({ length: this.deps.settings.concurrencyPerSource }, () => this.worker(byId.get(s.peerId)!, file)));
        await Promise.all(workers);
      } finally {
        clearInterval(flusher);
      }
      if (this.signal.aborted) return;
      await this.flush();
      if (this.fatal) throw this.fatal;
      if (this.done.size !== m.chunks.length) throw new JobFailure('PEERS.SOURCES_EXHAUSTED', `${m.chunks.length - this.done.size} chunks could not be fetched from any peer`);
    } finally {
      await file.close();
    }
    const transferMs = Math.round(performance.now() - this.startedAt);
    const whole = await sha256File(path);
    if (whole !== m.sha256) throw new JobFailure('PEERS.ARTIFACT_HASH_MISMATCH', 'the assembled artifact does not hash to the manifest sha256');
    await this.deps.artifacts.registerAssembled(signed, path, 'system:replication');
    const durationMs = Math.round(performance.now() - this.startedAt);
    await this.journal.record({
      type: REPLICATION_COMPLETED,
      data: { jobId: this.jobId, bytes: m.sizeBytes, transferMs, durationMs, bySource: { ...this.bySource }, completedAt: new Date().toISOString() },
    });
    this.logger.log(`replication ${this.jobId} completed in ${durationMs} ms; bytes per peer: ${JSON.stringify(this.bySource)}`);
  }

  private async verifyStored(file: FileHandle, i: number): Promise<boolean> {
    const len = this.chunkLength(i);
    const buf = Buffer.allocUnsafe(len);
    const { bytesRead } = await file.read(buf, 0, len, i * this.manifest!.chunkSize);
    return bytesRead === len && createHash('sha256').update(buf).digest('hex') === this.manifest!.chunks[i];
  }

  /** The next chunk for `peerId`: its own queue first, else the tail of the longest other queue. */
  private take(peerId: string): number | undefined {
    const own = this.queues.get(peerId);
    if (own && own.length > 0) return own.shift();
    let longest: number[] | undefined;
    for (const [id, q] of this.queues) if (id !== peerId && this.live.has(id) && q.length > (longest?.length ?? 0)) longest = q;
    if (longest && longest.length > 0) return longest.pop();
    // A dead source's queue is free for anyone.
    for (const [id, q] of this.queues) if (!this.live.has(id) && q.length > 0) return q.pop();
    return undefined;
  }

  private notify(): void {
    const w = this.wake;
    this.wake = [];
    for (const f of w) f();
  }

  private async worker(source: ReplicationSource, file: FileHandle): Promise<void> {
    while (!this.signal.aborted && !this.fatal && this.live.has(source.peerId)) {
      const i = this.take(source.peerId);
      if (i === undefined) {
        if (this.inFlight === 0) return this.notify();
        // Another worker may fail its chunk and hand it back: wait for that or the end.
        await new Promise<void>((r) => this.wake.push(r));
        continue;
      }
      this.inFlight++;
      try {
        await this.fetchChunk(source, i, file);
        this.consecutiveErrors.set(source.peerId, 0);
      } catch (e) {
        await this.failed(source, i, e as Error);
      } finally {
        this.inFlight--;
        this.notify();
      }
    }
  }

  private async fetchChunk(source: ReplicationSource, i: number, file: FileHandle): Promise<void> {
    const m = this.manifest!;
    const len = this.chunkLength(i);
    const { res } = await this.deps.client.open(source.url, `/peer/v1/chunks/${m.chunks[i]}`, {}, this.signal);
    const buf = Buffer.allocUnsafe(len);
    let at = 0;
    const peerBucket = this.deps.peerBucket(source.peerId);
    for await (const part of res as AsyncIterable<Buffer>) {
      if (at + part.length > len) {
        res.destroy();
        throw new ChunkCorrupt('the peer sent more bytes than the chunk has');
      }
      part.copy(buf, at);
      at += part.length;
      await Promise.all([peerBucket.take(part.length), this.jobBucket.take(part.length)]);
    }
    if (at !== len) throw new PeerRequestError(`chunk ended after ${at} of ${len} bytes`, 'error');
    if (createHash('sha256').update(buf).digest('hex') !== m.chunks[i]) throw new ChunkCorrupt('sha256 mismatch');
    await file.write(buf, 0, len, i * m.chunkSize);
    this.done.add(i);
    this.bytesThisRun += len;
    this.bySource[source.peerId] = (this.bySource[source.peerId] ?? 0) + len;
    this.journal.stored(i, len, source.peerId, this.journaled.has(i));
  }

  private async failed(source: ReplicationSource, i: number, e: Error): Promise<void> {
    if (this.signal.aborted) return;
    const corrupt = e instanceof ChunkCorrupt;
    const reason = corrupt ? 'corrupt' : e instanceof PeerRequestError && e.kind === 'timeout' ? 'timeout' : 'error';
    this.logger.warn(`replication ${this.jobId}: chunk ${i} from ${source.peerId} failed (${reason}: ${e.message})`);
    await this.journal
      .record({ type: REPLICATION_CHUNK_FAILED, data: { jobId: this.jobId, chunk: i, peerId: source.peerId, reason, error: e.message.slice(0, 200), failedAt: new Date().toISOString() } })
      .catch(() => undefined);
    if (corrupt) {
      const n = (this.corrupt.get(source.peerId) ?? 0) + 1;
      this.corrupt.set(source.peerId, n);
      if (n >= this.deps.settings.corruptLimit && this.live.delete(source.peerId)) {
        this.logger.warn(`replication ${this.jobId}: peer ${source.peerId} served ${n} corrupt chunks: marked unreliable, avoided`);
        await this.deps.markUnreliable(source.peerId, n).catch(() => undefined);
      }
    } else {
      const n = (this.consecutiveErrors.get(source.peerId) ?? 0) + 1;
      this.consecutiveErrors.set(source.peerId, n);
      // A timeout or two errors in a row: the peer is gone (killed, unreachable) for this job.
      if (reason === 'timeout' || n >= 2) this.live.delete(source.peerId);
    }
    const tried = this.failedOn.get(i) ?? new Set<string>();
    tried.add(source.peerId);
    this.failedOn.set(i, tried);
    let next = nextOnRing([...this.live], source.peerId, tried);
    if (next === undefined && this.live.size > 0) {
      const round = (this.rounds.get(i) ?? 0) + 1;
      this.rounds.set(i, round);
      if (round >= this.deps.settings.maxRoundsPerChunk) {
        this.fatal = new JobFailure('PEERS.SOURCES_EXHAUSTED', `chunk ${i} failed on every peer ${round} times`);
        return;
      }
      tried.clear();
      next = nextOnRing([...this.live], source.peerId, tried);
    }
    if (next === undefined) {
      this.fatal = new JobFailure('PEERS.SOURCES_EXHAUSTED', 'every source peer failed or was avoided');
      return;
    }
    this.rounds.set(i, this.rounds.get(i) ?? 0);
    this.queues.get(next)!.unshift(i);
  }

  private flush(): Promise<void> {
    return this.journal.flush();
  }
}

class ChunkCorrupt extends Error {}

/** A manifest's fields (flat: strings, numbers, the chunk list) as JSON in key order. */
function sortedJson(m: SignedManifest['manifest']): string {
  const fields = m as unknown as Record<string, unknown>;
  return JSON.stringify(Object.keys(fields).sort().map((k) => [k, fields[k]]));
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const part of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) hash.update(part);
  return hash.digest('hex');
}
