import { ListenChannel } from '@cave/event-store';

const CHANNEL = 'cave_realtime_wake';
const APPLICATION_NAME = 'cave-realtime-wake';

/**
 * Cross-instance wake-ups over LISTEN/NOTIFY: the slot leader announces "committed up to cursor"
 * and every instance's tail reads the table. The payload is a cursor (< 50 bytes), far below
 * NOTIFY's 8000-byte limit: events themselves never travel through NOTIFY.
 */
export class WakeChannel {
  private readonly channel: ListenChannel;
  private sending = false;
  private next?: string;

  constructor(url: string, onWake: (cursor?: string) => void, log: (msg: string, err?: unknown) => void) {
    this.channel = new ListenChannel({
      url,
      channel: CHANNEL,
      applicationName: APPLICATION_NAME,
      label: 'realtime wake channel',
      onNotification: (payload) => onWake(payload || undefined),
      // Wake-ups sent while we were away are gone: read once to pick up anything committed meanwhile.
      onConnected: () => onWake(),
      log,
    });
  }

  start(): void {
    this.channel.start();
  }

  /** Coalesced: at most one NOTIFY in flight, carrying the newest cursor; skipped when no peer listens. */
  publish(cursor: string): void {
    if (this.channel.peers === 0) return;
    this.next = cursor;
    if (!this.sending) void this.flush();
  }

  stop(): Promise<void> {
    return this.channel.stop();
  }

  private async flush(): Promise<void> {
    this.sending = true;
    try {
      while (this.next !== undefined && this.channel.connected) {
        const payload = this.next;
        this.next = undefined;
        await this.channel.notify([payload]);
      }
    } catch {
      // The channel reconnects; tails also poll, so a lost wake-up only delays delivery.
    } finally {
      this.sending = false;
    }
  }
}
