import { randomUUID } from 'node:crypto';
import { Client } from 'pg';

const CHANNEL = 'cave_realtime_transient';
const APPLICATION_NAME = 'cave-realtime-transient';
/** NOTIFY refuses payloads of 8000 bytes or more. */
export const MAX_TRANSIENT_BYTES = 7900;
const PEER_REFRESH_MS = 1000;

/** Where a transient message goes: the subscribers of `stream:<streamId>` in `namespace` (and admins). */
export interface TransientTarget {
  namespace: string;
  streamId: string;
}

export type LocalTransientSink = (target: TransientTarget, name: string, payload: Record<string, unknown>) => void;

interface Wire {
  i: string;
  t: TransientTarget;
  n: string;
  p: Record<string, unknown>;
}

/**
 * Messages that are not events (e.g. live exec output): delivered at most once, in send order, to the
 * matching sockets of every instance, never stored and never replayed (docs/adr/0015). This instance's
 * sockets get them synchronously; other instances through LISTEN/NOTIFY on one connection, so the order
 * of `send` calls is the order everywhere. `flush()` resolves when every message sent so far has left.
 */
export class RealtimeTransient {
  private readonly id = randomUUID();
  private client?: Client;
  private stopped = false;
  private queue: string[] = [];
  private sending?: Promise<void>;
  private peers = 1;
  private peerTimer?: NodeJS.Timeout;
  private backoff = 100;
  /** Messages peers never saw because the connection was down or the payload too large. */
  dropped = 0;

  constructor(
    private readonly url: string | undefined,
    private readonly local: LocalTransientSink,
    private readonly log: (msg: string, err?: unknown) => void,
  ) {}

  start(): void {
    if (!this.url) return;
    void this.connect();
    this.peerTimer = setInterval(() => void this.countPeers(), PEER_REFRESH_MS);
    this.peerTimer.unref();
  }

  send(target: TransientTarget, name: string, payload: Record<string, unknown>): void {
    this.local(target, name, payload);
    if (!this.url || this.peers === 0) return;
    const wire = JSON.stringify({ i: this.id, t: target, n: name, p: payload } satisfies Wire);
    if (Buffer.byteLength(wire) > MAX_TRANSIENT_BYTES) {
      this.dropped++;
      return;
    }
    this.queue.push(wire);
    this.sending ??= this.drain().finally(() => (this.sending = undefined));
  }

  /** Resolves once everything sent before this call left for the other instances (or was given up on). */
  async flush(): Promise<void> {
    while (this.sending) await this.sending;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.peerTimer) clearInterval(this.peerTimer);
    await this.flush();
    await this.client?.end().catch(() => undefined);
  }

  /** One statement (one transaction) per batch: NOTIFY takes an xid, so many tiny transactions would cost. */
  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, 64);
      if (!this.client || this.stopped) {
        this.dropped += batch.length;
        continue;
      }
      const calls = batch.map((_, k) => `pg_notify($1, $${k + 2})`).join(', ');
      try {
        await this.client.query(`select ${calls}`, [CHANNEL, ...batch]);
      } catch (e) {
        this.dropped += batch.length;
        this.log('transient realtime messages could not be sent to other instances', e);
      }
    }
  }

  private receive(payload: string): void {
    try {
      const w = JSON.parse(payload) as Wire;
      if (w.i === this.id) return;
      this.local(w.t, w.n, w.p);
    } catch (e) {
      this.log('malformed transient realtime message ignored', e);
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
      this.peers = 1;
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
      if (n.channel === CHANNEL && n.payload) this.receive(n.payload);
    });
    try {
      await c.connect();
      await c.query(`listen ${CHANNEL}`);
      this.client = c;
      this.backoff = 100;
      await this.countPeers();
    } catch (e) {
      this.log('transient realtime channel could not connect; retrying', e);
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
