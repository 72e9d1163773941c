import { JobJournal, JournalWriter } from './job-journal';

/** A stream that, like the event store under optimistic concurrency, refuses an append racing another one. */
class RacyStream implements JournalWriter {
  readonly events: Array<{ type: string; data: Record<string, unknown> }> = [];
  failNext = 0;
  private busy = false;

  async record(_jobId: string, event: { type: string; data: unknown }): Promise<void> {
    if (this.busy) throw new Error('concurrency conflict: the stream moved');
    this.busy = true;
    try {
      await new Promise((r) => setTimeout(r, 2));
      if (this.failNext > 0) {
        this.failNext--;
        throw new Error('connection lost');
      }
      this.events.push(event as { type: string; data: Record<string, unknown> });
    } finally {
      this.busy = false;
    }
  }

  storedBytes(): number {
    return this.events.filter((e) => e.type === 'replication_chunks_stored').reduce((n, e) => n + (e.data.bytes as number), 0);
  }
}

const failure = (chunk: number) => ({
  type: 'replication_chunk_failed' as const,
  data: { jobId: 'j', chunk, peerId: 'a', reason: 'error' as const, error: 'killed', failedAt: new Date().toISOString() },
});

describe('JobJournal', () => {
  it('writes concurrent reports one after another, so none loses the race for the stream', async () => {
    const stream = new RacyStream();
    const journal = new JobJournal('j', stream);
    journal.stored(0, 100, 'a');
    journal.stored(1, 100, 'b');
    await Promise.all([journal.flush(), journal.record(failure(2)), journal.record(failure(3)), journal.record(failure(4))]);
    journal.stored(5, 50, 'b');
    await journal.flush();
    expect(stream.events.map((e) => e.type)).toEqual([
      'replication_chunks_stored',
      'replication_chunk_failed',
      'replication_chunk_failed',
      'replication_chunk_failed',
      'replication_chunks_stored',
    ]);
    expect(stream.storedBytes()).toBe(250);
  });

  it('keeps a batch whose append failed for the next flush, merged with what was stored meanwhile', async () => {
    const stream = new RacyStream();
    const journal = new JobJournal('j', stream);
    journal.stored(0, 100, 'a');
    stream.failNext = 1;
    const first = journal.flush();
    journal.stored(1, 60, 'b');
    await expect(first).rejects.toThrow('connection lost');
    await journal.flush();
    expect(stream.events).toHaveLength(1);
    expect(stream.events[0].data).toMatchObject({ chunks: [0, 1], bytes: 160, bySource: { a: 100, b: 60 } });
  });

  it('goes on after a failed append: a later report is still written', async () => {
    const stream = new RacyStream();
    const journal = new JobJournal('j', stream);
    stream.failNext = 1;
    await expect(journal.record(failure(1))).rejects.toThrow('connection lost');
    await journal.record(failure(2));
    expect(stream.events.map((e) => e.data.chunk)).toEqual([2]);
  });

  it('counts a chunk fetched again after a takeover (the events had it, this data dir did not) only as bytes its source served', async () => {
    const stream = new RacyStream();
    const journal = new JobJournal('j', stream);
    journal.stored(0, 100, 'a', true);
    journal.stored(1, 100, 'a');
    await journal.flush();
    expect(stream.events[0].data).toMatchObject({ chunks: [1], bytes: 100, bySource: { a: 200 } });
  });
});
