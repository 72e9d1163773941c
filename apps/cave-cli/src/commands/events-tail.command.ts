import { CommandRunner, Option, SubCommand } from 'nest-commander';
import type { Notification } from 'pg';
import { withClient } from '@cave/event-store';
import { EVENTS_CHANNEL } from '@cave/projections';
import { CliContext } from '../cli-context';
import { writeWithBackpressure } from '../output';
import { toJsonLine } from './events-export.command';

interface TailOptions {
  after?: string;
  namespace?: string;
  type?: string[];
}

@SubCommand({ name: 'tail', description: 'Follow new events live as JSON lines until interrupted (Ctrl-C)' })
export class EventsTailCommand extends CommandRunner {
  constructor(private readonly ctx: CliContext) {
    super();
  }

  async run(_args: string[], opts: TailOptions): Promise<void> {
    const { store, db } = await this.ctx.connect();
    let cursor: string | number = opts.after ?? (await headCursor(db.admin));
    let wake: (() => void) | undefined;
    let stopped = false;
    const stop = () => {
      stopped = true;
      wake?.();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    const types = opts.type ? new Set(opts.type) : undefined;
    await withClient(db.admin, async (listener, lease) => {
      lease.discard(); // it LISTENs: never hand it back to the pool
      void lease.whenLost.then(stop);
      listener.on('notification', (_n: Notification) => wake?.());
      await listener.query(`listen ${EVENTS_CHANNEL}`);
      while (!stopped) {
        const page = await store.readAll({ after: cursor, limit: 1000 });
        cursor = page.cursor;
        const shown = page.events.filter((e) => (!opts.namespace || e.namespace === opts.namespace) && (!types || types.has(e.type)));
        if (shown.length > 0) await writeWithBackpressure(process.stdout, shown.map(toJsonLine).join('\n') + '\n');
        if (page.events.length === 0) {
          // NOTIFY from daemons wakes us at once; the poll covers writers that do not notify.
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, 1000);
            wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
          wake = undefined;
        }
      }
    });
  }

  @Option({ flags: '--after <position>', description: 'Start behind this global position or cursor instead of the current head' })
  parseAfter(v: string): string {
    if (!/^\d+$/.test(v) && !/^\d+:\d+$/.test(v)) throw new Error('--after must be a global position or a cursor "<xid>:<position>"');
    return v;
  }

  @Option({ flags: '--namespace <ns>', description: 'Only events of this namespace' })
  parseNamespace(v: string): string {
    return v;
  }

  @Option({ flags: '--type <type...>', description: 'Only events of these types' })
  parseType(v: string, previous: string[] = []): string[] {
    return [...previous, v];
  }
}

/** The newest commit-safe cursor: tailing starts there and shows only what comes next. */
async function headCursor(pool: { query: (sql: string) => Promise<{ rows: { c: string | null }[] }> }): Promise<string> {
  const { rows } = await pool.query(
    `select transaction_id::text || ':' || global_position as c from events
     where transaction_id < pg_snapshot_xmin(pg_current_snapshot())
     order by transaction_id desc, global_position desc limit 1`,
  );
  return rows[0]?.c ?? '0:0';
}
