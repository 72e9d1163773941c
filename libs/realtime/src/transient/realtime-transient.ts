import { randomUUID } from 'node:crypto';
import { ListenChannel } from '@cave/event-store';

const CHANNEL = 'cave_realtime_transient';
const APPLICATION_NAME = 'cave-realtime-transient';
/** NOTIFY refuses payloads of 8000 bytes or more. */
export const MAX_TRANSIENT_BYTES = 7900;

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
  private readonly channel?: ListenChannel;
  private stopped = false;
  private queue: string[] = [];
  private sending?: Promise<void>;
  /** Messages peers never saw because the connection was down or the payload too large. */
  dropped = 0;

  constructor(
    url: string | undefined,
    private readonly local: LocalTransientSink,
    private readonly log: (msg: string, err?: unknown) => void,
  ) {
    if (url) {
      this.channel = new ListenChannel({
        url,
        channel: CHANNEL,
        applicationName: APPLICATION_NAME,
        label: 'transient realtime channel',
        onNotification: (payload) => {
          if (payload) this.receive(payload);
        },
        log,
      });
    }
  }

  start(): void {
    this.channel?.start();
  }

  send(target: TransientTarget, name: string, payload: Record<string, unknown>): void {
    this.local(target, name, payload);
    if (!this.channel || this.channel.peers === 0) return;
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
    await this.flush();
    await this.channel?.stop();
  }

  /** One statement (one transaction) per batch: NOTIFY takes an xid, so many tiny transactions would cost. */
  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, 64);
      if (!this.channel?.connected || this.stopped) {
        this.dropped += batch.length;
        continue;
      }
      try {
        await this.channel.notify(batch);
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
}
