import { io, Socket } from 'socket.io-client';
import { waitFor } from '@cave/testing';

export interface ReceivedEvent {
  channel: string;
  cursor: string;
  globalPosition: number;
  eventId: string;
  namespace: string;
  streamType: string;
  streamId: string;
  streamVersion: number;
  type: string;
  schemaVersion: number;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
  recordedAt: string;
}

export type Ack = { ok: true; channel: string } | { ok: false; error: { code: string; message: string } };

/** A socket.io-client on /realtime that records everything it receives. */
export class RealtimeTestClient {
  readonly events: ReceivedEvent[] = [];
  readonly socket: Socket;
  revoked = false;
  disconnectReason?: string;

  constructor(baseUrl: string, token: string, opts: { reconnection?: boolean } = {}) {
    this.socket = io(`${baseUrl}/realtime`, {
      auth: { token },
      transports: ['websocket'],
      reconnection: opts.reconnection ?? false,
      forceNew: true,
    });
    this.socket.on('event', (e: ReceivedEvent) => this.events.push(e));
    this.socket.on('revoked', () => (this.revoked = true));
    this.socket.on('disconnect', (reason) => (this.disconnectReason = reason));
  }

  static async connect(baseUrl: string, token: string, opts: { reconnection?: boolean } = {}): Promise<RealtimeTestClient> {
    const c = new RealtimeTestClient(baseUrl, token, opts);
    await new Promise<void>((resolve, reject) => {
      c.socket.once('connect', () => resolve());
      c.socket.once('connect_error', (e) => reject(e));
    });
    return c;
  }

  /** Resolves with the connect_error's `data` (expects the handshake to be refused). */
  static async refused(baseUrl: string, token: unknown): Promise<{ message: string; data?: { code?: string } }> {
    const socket = io(`${baseUrl}/realtime`, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
    try {
      return await new Promise((resolve, reject) => {
        socket.once('connect', () => reject(new Error('handshake was accepted')));
        socket.once('connect_error', (e: Error & { data?: { code?: string } }) => resolve({ message: e.message, data: e.data }));
      });
    } finally {
      socket.close();
    }
  }

  subscribe(body: unknown): Promise<Ack> {
    return this.socket.timeout(10_000).emitWithAck('subscribe', body) as Promise<Ack>;
  }

  unsubscribe(body: unknown): Promise<Ack> {
    return this.socket.timeout(10_000).emitWithAck('unsubscribe', body) as Promise<Ack>;
  }

  on(channel: string): ReceivedEvent[] {
    return this.events.filter((e) => e.channel === channel);
  }

  async waitForCount(channel: string, n: number, timeoutMs = 15_000): Promise<ReceivedEvent[]> {
    return waitFor(() => (this.on(channel).length >= n ? this.on(channel) : undefined), timeoutMs, `${n} events on ${channel} (have ${this.on(channel).length})`);
  }

  close(): void {
    this.socket.close();
  }
}

/** No gap, no duplicate, same order: what `received` must be compared with `expected` (event ids). */
export function expectExactly(received: ReceivedEvent[], expectedIds: string[]): void {
  expect(received.map((e) => e.eventId)).toEqual(expectedIds);
}
