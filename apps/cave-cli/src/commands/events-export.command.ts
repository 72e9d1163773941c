import { CommandRunner, Option, SubCommand } from 'nest-commander';
import { RecordedEvent } from '@cave/event-store';
import { CliContext } from '../cli-context';
import { ProgressBar, writeWithBackpressure } from '../output';

interface ExportOptions {
  after: string;
  format: 'jsonl';
  batchSize: number;
}

/** One JSON object per line, the event exactly as the store returns it (upcast). */
export function toJsonLine(e: RecordedEvent): string {
  return JSON.stringify({
    globalPosition: e.globalPosition,
    cursor: e.cursor,
    eventId: e.eventId,
    namespace: e.namespace,
    streamType: e.streamType,
    streamId: e.streamId,
    streamVersion: e.streamVersion,
    type: e.type,
    schemaVersion: e.schemaVersion,
    data: e.data,
    metadata: e.metadata,
    recordedAt: e.recordedAt.toISOString(),
  });
}

@SubCommand({ name: 'export', description: 'Stream every event after a position to stdout as JSON lines (constant memory; progress on stderr)' })
export class EventsExportCommand extends CommandRunner {
  constructor(private readonly ctx: CliContext) {
    super();
  }

  async run(_args: string[], opts: ExportOptions): Promise<void> {
    const { store, db } = await this.ctx.connect();
    const after = opts.after ?? '0';
    const from = /^\d+$/.test(after) ? Number(after) : 0;
    const { rows } = await db.admin.query<{ n: string }>('select count(*) as n from events where global_position > $1', [from]);
    const bar = new ProgressBar('export', Number(rows[0].n));
    let cursor: string | number = /^\d+$/.test(after) ? Number(after) : after;
    let written = 0;
    // One page in memory at a time; stdout's backpressure paces the reads.
    for (;;) {
      const page = await store.readAll({ after: cursor, limit: opts.batchSize ?? 5000 });
      if (page.events.length === 0) break;
      await writeWithBackpressure(process.stdout, page.events.map(toJsonLine).join('\n') + '\n');
      written += page.events.length;
      cursor = page.cursor;
      bar.update(written);
    }
    bar.done(written);
  }

  @Option({ flags: '--after <position>', description: 'Global position (or cursor) to start behind; default 0 (everything)' })
  parseAfter(v: string): string {
    if (!/^\d+$/.test(v) && !/^\d+:\d+$/.test(v)) throw new Error('--after must be a global position or a cursor "<xid>:<position>"');
    return v;
  }

  @Option({ flags: '--format <format>', description: 'Output format (only jsonl)', defaultValue: 'jsonl' })
  parseFormat(v: string): string {
    if (v !== 'jsonl') throw new Error('--format: only "jsonl" is supported');
    return v;
  }

  @Option({ flags: '--batch-size <n>', description: 'Events per read (1..10000)', defaultValue: 5000 })
  parseBatch(v: string): number {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1 || n > 10_000) throw new Error('--batch-size must be an integer 1..10000');
    return n;
  }
}
