import { createReadStream } from 'node:fs';
import { FileHandle, mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Database } from '@cave/event-store';

export interface SinkLogger {
  warn(msg: string): void;
  error(msg: string): void;
}

/**
 * Mirrors `audit_log` into a JSONL file, one canonical entry per line, flushed and fsynced per
 * batch. The table is the source: after a crash the file is re-synced from it (a torn last line
 * is cut, missing lines appended). A file that disagrees with the table is never overwritten: it
 * is evidence, so the sink stops and reports it.
 */
export class AuditFileSink {
  private lines = 0;
  private handle?: FileHandle;
  private queue: Promise<unknown> = Promise.resolve();
  /** A write failed part-way: the file may end in a torn line, so re-scan it before writing again. */
  private dirty = false;
  private closed = false;
  diverged?: string;

  constructor(
    readonly path: string,
    private readonly db: Database,
    private readonly log: SinkLogger,
  ) {}

  get lineCount(): number {
    return this.lines;
  }

  /** Opens the file and brings it up to date with the table. */
  open(): Promise<void> {
    this.closed = false;
    return this.serial(() => this.resync());
  }

  /**
   * Appends freshly committed lines `firstSeq..`. Lines the idle catch-up already copied from the
   * table are not written twice; a gap is filled from the table first.
   */
  append(firstSeq: number, lines: string[]): Promise<void> {
    return this.serial(async () => {
      if (this.closed || this.diverged || lines.length === 0) return;
      if (!this.handle || this.dirty) return this.resync();
      if (firstSeq > this.lines) await this.appendFromTable(this.lines, firstSeq);
      if (firstSeq + lines.length > this.lines) await this.write(lines.slice(this.lines - firstSeq));
    });
  }

  /**
   * Appends entries other instances wrote since this file was last touched (several daemons share
   * one table; each keeps its own file). Cheap when nothing is missing: one index lookup.
   */
  catchUp(): Promise<void> {
    return this.serial(async () => {
      if (this.closed || this.diverged) return;
      if (!this.handle || this.dirty) return this.resync();
      const max = await this.db.asAdmin(async (c) => (await c.query<{ m: string | null }>('select max(seq) as m from audit_log')).rows[0].m);
      if (max !== null && Number(max) + 1 > this.lines) await this.appendFromTable(this.lines, Number(max) + 1);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.serial(async () => {
      await this.handle?.close();
      this.handle = undefined;
    });
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async write(lines: string[]): Promise<void> {
    try {
      await this.handle!.write(lines.join('\n') + '\n');
      await this.handle!.sync();
    } catch (e) {
      this.dirty = true;
      throw e;
    }
    this.lines += lines.length;
  }

  private async resync(): Promise<void> {
    this.dirty = true;
    await mkdir(dirname(this.path), { recursive: true });
    await this.handle?.close();
    this.handle = await open(this.path, 'a+', 0o640);
    const { count, validEnd, size } = await scanLines(this.path);
    if (validEnd < size) {
      this.log.warn(`audit file ${this.path}: cutting a torn last line (${size - validEnd} bytes) before re-sync`);
      await this.handle.truncate(validEnd);
      await this.handle.sync();
    }
    this.lines = count;
    this.dirty = false;
    const tableCount = await this.db.asAdmin(async (c) => Number((await c.query<{ n: string }>('select count(*) as n from audit_log')).rows[0].n));
    if (count > tableCount) return this.stop(`the file has ${count} entries, the table ${tableCount}`);
    if (count > 0) {
      const last = await readLastLine(this.path, validEnd);
      const row = await this.db.asAdmin(async (c) => (await c.query<{ entry: string }>('select entry from audit_log where seq = $1', [count - 1])).rows[0]);
      if (row?.entry !== last) return this.stop(`line ${count} differs from table entry ${count - 1}`);
    }
    await this.appendFromTable(count, tableCount);
  }

  private async appendFromTable(from: number, to: number): Promise<void> {
    while (from < to) {
      const rows = await this.db.asAdmin(
        async (c) => (await c.query<{ entry: string }>('select entry from audit_log where seq >= $1 order by seq limit 10000', [from])).rows,
      );
      if (rows.length === 0) break;
      await this.write(rows.map((r) => r.entry));
      from += rows.length;
    }
  }

  private stop(reason: string): void {
    this.diverged = reason;
    this.log.error(`audit file ${this.path} diverges from the audit_log table (${reason}); not writing to it. Run "audit verify".`);
  }
}

async function scanLines(path: string): Promise<{ count: number; validEnd: number; size: number }> {
  let count = 0;
  let validEnd = 0;
  let offset = 0;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    for (let i = chunk.indexOf(0x0a); i >= 0; i = chunk.indexOf(0x0a, i + 1)) {
      count++;
      validEnd = offset + i + 1;
    }
    offset += chunk.length;
  }
  return { count, validEnd, size: offset };
}

async function readLastLine(path: string, end: number): Promise<string> {
  const fh = await open(path, 'r');
  try {
    let window = 4096;
    for (;;) {
      const start = Math.max(0, end - 1 - window);
      const buf = Buffer.alloc(end - 1 - start);
      await fh.read(buf, 0, buf.length, start);
      const nl = buf.lastIndexOf(0x0a);
      if (nl >= 0 || start === 0) return buf.subarray(nl + 1).toString('utf8');
      window *= 4;
    }
  } finally {
    await fh.close();
  }
}
