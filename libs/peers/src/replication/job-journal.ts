import type { ReplicationEvent } from '../domain/replication.decider';
import { REPLICATION_CHUNKS_STORED } from '../contracts/peer.events';

type Recorded = Exclude<ReplicationEvent, { type: 'replication_requested' }>;

/** What the job hands to its writer: one append at a time for one stream. */
export interface JournalWriter {
  record(jobId: string, event: Recorded): Promise<unknown>;
}

interface StoredBatch {
  chunks: number[];
  bytes: number;
  bySource: Record<string, number>;
}

/**
 * A running job's events, written one after another. The job's workers report chunk failures while the flusher
 * reports stored chunks: appended concurrently, they raced for the stream's next version and a loser whose retries
 * ran out was dropped, so the read model finished a job with fewer bytes than it holds. Here every append waits for
 * the one before it, and a stored-chunks batch whose append fails goes back into the pending batch for the next flush.
 */
export class JobJournal {
  private tail: Promise<unknown> = Promise.resolve();
  private pending: StoredBatch = empty();

  constructor(
    private readonly jobId: string,
    private readonly writer: JournalWriter,
  ) {}

  /** Appends after every earlier append of this job has settled. */
  record(event: Recorded): Promise<void> {
    const next = this.tail.then(() => this.writer.record(this.jobId, event));
    this.tail = next.catch(() => undefined);
    return next.then(() => undefined);
  }

  /**
   * A chunk fetched and written. `again`: the job's events already count it stored (a run on another instance, whose
   * data dir held it, recorded it): only the bytes the source served are new, so the job never counts it twice.
   */
  stored(chunk: number, bytes: number, peerId: string, again = false): void {
    if (!again) {
      this.pending.chunks.push(chunk);
      this.pending.bytes += bytes;
    }
    this.pending.bySource[peerId] = (this.pending.bySource[peerId] ?? 0) + bytes;
  }

  /** Records the chunks stored since the last flush; on failure they stay pending and the error is thrown. */
  async flush(): Promise<void> {
    if (this.pending.chunks.length === 0 && Object.keys(this.pending.bySource).length === 0) return;
    const batch = this.pending;
    this.pending = empty();
    try {
      await this.record({ type: REPLICATION_CHUNKS_STORED, data: { jobId: this.jobId, ...batch, storedAt: new Date().toISOString() } });
    } catch (e) {
      this.restore(batch);
      throw e;
    }
  }

  private restore(batch: StoredBatch): void {
    // Chunks stored meanwhile stay after the returned ones; order does not matter to the read model, only the sums.
    this.pending.chunks.unshift(...batch.chunks);
    this.pending.bytes += batch.bytes;
    for (const [peer, b] of Object.entries(batch.bySource)) this.pending.bySource[peer] = (this.pending.bySource[peer] ?? 0) + b;
  }
}

function empty(): StoredBatch {
  return { chunks: [], bytes: 0, bySource: {} };
}
