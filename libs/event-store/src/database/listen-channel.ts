import { Client } from 'pg';
import { WakeLoop } from '../scheduling/wake-loop';

export interface ListenChannelOptions {
  url: string;
  /** The NOTIFY channel (a plain identifier). */
  channel: string;
  /** Every instance's connection carries it, which is how `peers` finds the others. */
  applicationName: string;
  /** Said in the log line when connecting fails, e.g. "realtime wake channel". */
  label: string;
  onNotification(payload: string): void;
  /** After every (re)connect, once LISTEN is active and the peers are counted. */
  onConnected?(): void;
  log(msg: string, err?: unknown): void;
}

/** A new instance is found within this; until then the callers' polls cover it. */
const PEER_REFRESH_MS = 1000;
/** After a connection that worked ends, try again this soon; failing connects back off (WakeLoop). */
const RECONNECT_MS = 100;

/**
 * One dedicated connection that LISTENs on a channel and NOTIFYs it, reconnecting with backoff for as
 * long as it runs, and counting the other instances that listen (`peers`): NOTIFY takes an xid (and so
 * holds the xmin horizon back a moment), so callers skip it when nobody else listens. Notifications
 * sent while the connection was down are gone: `onConnected` is where a caller catches up.
 */
export class ListenChannel {
  private current?: Client;
  /** The current connection's last query: pg deprecates a query sent before the previous one settled (pg 9 refuses it). */
  private tail: Promise<unknown> = Promise.resolve();
  private counting?: Promise<void>;
  private peerTimer?: NodeJS.Timeout;
  /** Other instances listening; unknown counts as one, so a caller keeps notifying. */
  peers = 1;
  private readonly loop = new WakeLoop(() => this.session(), {
    unref: true,
    onError: (e) => this.opts.log(`${this.opts.label} could not connect; retrying`, e),
  });

  constructor(private readonly opts: ListenChannelOptions) {}

  get connected(): boolean {
    return this.current !== undefined;
  }

  start(): void {
    this.loop.start();
    this.peerTimer = setInterval(() => void this.countPeers(), PEER_REFRESH_MS);
    this.peerTimer.unref();
  }

  async stop(): Promise<void> {
    if (this.peerTimer) clearInterval(this.peerTimer);
    const stopping = this.loop.stop();
    await this.current?.end().catch(() => undefined);
    await stopping;
  }

  /** NOTIFY every payload in one statement (one transaction). Throws when not connected. */
  async notify(payloads: readonly string[]): Promise<void> {
    const c = this.current;
    if (!c) throw new Error(`${this.opts.label} is not connected`);
    const calls = payloads.map((_, k) => `pg_notify($1, $${k + 2})`).join(', ');
    await this.serial(() => c.query(`select ${calls}`, [this.opts.channel, ...payloads]));
  }

  /** Queries on the connection one after another: the peer count's timer and notify() would otherwise overlap. */
  private serial<T>(f: () => Promise<T>): Promise<T> {
    const run = this.tail.then(f);
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** One connection's lifetime: resolves when it ends. */
  private async session(): Promise<{ ms: number }> {
    const c = new Client({ connectionString: this.opts.url, application_name: this.opts.applicationName });
    c.on('error', () => undefined);
    const ended = new Promise<void>((resolve) => c.once('end', resolve));
    c.on('notification', (n) => {
      if (n.channel === this.opts.channel) this.opts.onNotification(n.payload ?? '');
    });
    try {
      await c.connect();
      await c.query(`listen ${this.opts.channel}`);
    } catch (e) {
      await c.end().catch(() => undefined);
      throw e;
    }
    if (this.loop.stopped) {
      await c.end().catch(() => undefined);
      return { ms: 0 };
    }
    this.current = c;
    // A query the previous connection left hanging must not hold this one's back.
    this.tail = Promise.resolve();
    await this.countPeers();
    this.opts.onConnected?.();
    await ended;
    this.current = undefined;
    return { ms: RECONNECT_MS };
  }

  /** One count at a time: a stalled server must not pile up a query per timer tick. */
  private countPeers(): Promise<void> {
    this.counting ??= this.count().finally(() => (this.counting = undefined));
    return this.counting;
  }

  private async count(): Promise<void> {
    const c = this.current;
    if (!c) return;
    try {
      const r = await this.serial(() =>
        c.query<{ n: number }>(
          `select count(*)::int as n from pg_stat_activity
           where datname = current_database() and application_name = $1 and pid <> pg_backend_pid()`,
          [this.opts.applicationName],
        ),
      );
      this.peers = r.rows[0].n;
    } catch {
      this.peers = 1;
    }
  }
}
