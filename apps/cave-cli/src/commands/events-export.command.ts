import { CommandRunner, Option, SubCommand } from 'nest-commander';
import type { Writable } from 'node:stream';
import { Database, EventStore, RecordedEvent, toEventView } from '@cave/event-store';
import { CliContext } from '../cli-context';
import { ProgressBar, writeWithBackpressure } from '../output';

interface ExportOptions {
  after: string;
  format: 'jsonl';
  batchSize: number;
}

/** One JSON object per line, the event exactly as the store returns it (upcast). */
export function toJsonLine(e: RecordedEvent): string {
  return JSON.stringify(toEventView(e, 'operator'));
}

/**
 * Pages through `readAll` and writes JSON lines to `out`, one page in memory at a time: the next
 * page is read only once `out` accepted the previous one, so memory stays flat for any log size.
 */
export async function exportEvents(
  store: EventStore,
  db: Database,
  opts: { after: string; batchSize: number },
  out: Writable,
  err: NodeJS.WriteStream | Writable,
): Promise<number> {
  const numeric = /^\d+$/.test(opts.after);
  const { rows } = await db.admin.query<{ n: string }>('select count(*) as n from events where global_position > $1', [numeric ? Number(opts.after) : 0]);
  const bar = new ProgressBar('export', Number(rows[0].n), err as NodeJS.WriteStream);
  let cursor: string | number = numeric ? Number(opts.after) : opts.after;
  let written = 0;
  for (;;) {
    const page = await store.readAll({ after: cursor, limit: opts.batchSize });
    if (page.events.length === 0) break;
    await writeWithBackpressure(out, page.events.map(toJsonLine).join('\n') + '\n');
    written += page.events.length;
    cursor = page.cursor;
    bar.update(written);
  }
  bar.done(written);
  return written;
}

@SubCommand({ name: 'export', description: 'Stream every event after a position to stdout as JSON lines (constant memory; progress on stderr)' })
export class EventsExportCommand extends CommandRunner {
  constructor(private readonly ctx: CliContext) {
    super();
  }

  async run(_args: string[], opts: ExportOptions): Promise<void> {
    const { store, db } = await this.ctx.connect();
    await exportEvents(store, db, { after: opts.after ?? '0', batchSize: opts.batchSize ?? 5000 }, process.stdout, process.stderr);
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
