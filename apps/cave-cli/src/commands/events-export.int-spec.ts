import { Writable } from 'node:stream';
import { EventStore } from '@cave/event-store';
import { createTestDatabase, TestDatabase } from '@cave/testing';
import { exportEvents } from './events-export.command';

jest.setTimeout(60_000);

/** A slow consumer with a tiny buffer: forces the exporter to wait for 'drain' between pages. */
class SlowSink extends Writable {
  lines: string[] = [];
  private partial = '';
  maxBuffered = 0;
  constructor() {
    super({ highWaterMark: 1024 });
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, done: (e?: Error) => void): void {
    this.maxBuffered = Math.max(this.maxBuffered, this.writableLength);
    const text = this.partial + chunk.toString('utf8');
    const parts = text.split('\n');
    this.partial = parts.pop()!;
    this.lines.push(...parts);
    setTimeout(done, 20);
  }
}

describe('events export (real Postgres)', () => {
  let t: TestDatabase;
  let store: EventStore;
  beforeAll(async () => {
    t = await createTestDatabase();
    store = new EventStore(t.db);
    for (let i = 0; i < 30; i++) {
      await store.append(`s-${i % 2}-${i % 3}`, 'any', Array.from({ length: 50 }, (_, j) => ({ type: 'tick', data: { n: i * 50 + j, pad: 'x'.repeat(100) } })), {
        namespace: i % 2 ? 'alpha' : 'beta',
        streamType: 'tick',
      });
    }
  });
  afterAll(() => t.drop());

  const quietErr = new Writable({ write: (_c, _e, done) => done() });

  it('writes every event once, in commit-safe order, with backpressure bounding the buffer to one page', async () => {
    const sink = new SlowSink();
    const n = await exportEvents(store, t.db, { after: '0', batchSize: 100 }, sink, quietErr);
    expect(n).toBe(1500);
    const events = sink.lines.map((l) => JSON.parse(l));
    expect(events.map((e) => e.globalPosition)).toEqual([...Array(1500).keys()].map((i) => i + 1));
    expect(events[0]).toMatchObject({ type: 'tick', streamType: 'tick', data: { n: 0 }, cursor: expect.stringMatching(/^\d+:1$/) });
    // The consumer takes 20 ms per page, reads take a few: without waiting for 'drain' pages pile up.
    const page = Buffer.byteLength(sink.lines.slice(0, 100).join('\n'));
    expect(sink.maxBuffered).toBeLessThanOrEqual(page + 1024);
  });

  it('starts behind --after', async () => {
    const sink = new SlowSink();
    await exportEvents(store, t.db, { after: '1400', batchSize: 33 }, sink, quietErr);
    expect(sink.lines.map((l) => JSON.parse(l).globalPosition)).toEqual([...Array(100).keys()].map((i) => i + 1401));
  });
});
