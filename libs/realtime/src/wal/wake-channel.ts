import { Client } from 'pg';

const CHANNEL = 'cave_realtime_wake';
const APPLICATION_NAME = 'cave-realtime-wake';
/** A new instance is found within this; until then its own 1 s poll covers it. */
const PEER_REFRESH_MS = 1000;

/**
 * Cross-instance wake-ups over LISTEN/NOTIFY: the slot leader announces "committed up to cursor"
 * and every instance's tail reads the table. The payload is a cursor (< 50 bytes), far below
 * NOTIFY's 8000-byte limit: events themselves never travel through NOTIFY.
 */
export class WakeChannel {
  private client?: Client;
  private stopped = false;
  private sending = false;
  private next?: string;
  private backoff = 100;
  /** Other instances listening; NOTIFY takes an xid (and so holds the xmin horizon a moment): skip it when alone. */
  private peers = 1;
  private peerTimer?: NodeJS.Timeout;

  constructor(
    private readonly url: string,
    private readonly onWake: (cursor?: string) => void,
    private readonly log: (msg: string, err?: unknown) => void,
  ) {}

  start(): void {
    void this.connect();
    this.peerTimer = setInterval(() => void this.countPeers(), PEER_REFRESH_MS);
    this.peerTimer.unref();
  }

  /** Coalesced: at most one NOTIFY in flight, carrying the newest cursor. */
  publish(cursor: string): void {
    if (this.peers === 0) return;
    this.next = cursor;
    if (!this.sending) void this.flush();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.peerTimer) clearInterval(this.peerTimer);
    await this.client?.end().catch(() => undefined);
  }

  private async flush(): Promise<void> {
    this.sending = true;
    try {
      while (this.next !== undefined && this.client && !this.stopped) {
        const payload = this.next;
        this.next = undefined;
        await this.client.query('select pg_notify($1, $2)', [CHANNEL, payload]);
      }
    } catch {
      // The listener reconnects; tails also poll, so a lost wake-up only delays delivery.
    } finally {
      this.sending = false;
    }
  }

  private async countPeers(): Promise<void> {
    try {
      const r = await this.client?.query<{ n: number }>(
        `select count(*)::int as n from pg_stat_activity
         where datname = current_database() and application_name = $1 and pid <> pg_backend_pid()`,
        [APPLICATION_NAME],
      );
      if (r) this.peers = r.rows[0].n;
    } catch {
      this.peers = 1; // unknown: keep notifying
    }
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const c = new Client({ connectionString: this.url, application_name: APPLICATION_NAME });
    c.on('error', () => undefined);
    c.on('end', () => {
      if (this.client !== c) return;
      this.client = undefined;
      if (!this.stopped) this.retry();
    });
    c.on('notification', (n) => {
      if (n.channel === CHANNEL) this.onWake(n.payload || undefined);
    });
    try {
      await c.connect();
      await c.query(`listen ${CHANNEL}`);
      this.client = c;
      this.backoff = 100;
      await this.countPeers();
      // Wake-ups sent while we were away are gone: read once to pick up anything committed meanwhile.
      this.onWake();
    } catch (e) {
      this.log('realtime wake channel could not connect; retrying', e);
      await c.end().catch(() => undefined);
      this.retry();
    }
  }

  private retry(): void {
    const wait = this.backoff;
    this.backoff = Math.min(this.backoff * 2, 5000);
    setTimeout(() => void this.connect(), wait).unref();
  }
}
