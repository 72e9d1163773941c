import { createServer, IncomingHttpHeaders, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  /** The body bytes exactly as they arrived. */
  raw: Buffer;
  at: number;
}

/** What the receiver answers next: a status (with optional headers), or hang without answering. */
export type Reply = { status: number; headers?: Record<string, string> } | 'hang';

/**
 * A real HTTP server standing in for a webhook consumer. `replies` are used in order, then
 * `fallback`. It can be stopped and started again on the same port (receiver down, then up).
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  replies: Reply[] = [];
  fallback: Reply = { status: 200 };
  private server?: Server;
  private readonly hanging = new Set<ServerResponse>();
  port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}/hook`;
  }

  async start(port = this.port): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.received.push({ headers: req.headers, raw: Buffer.concat(chunks), at: Date.now() });
        const reply = this.replies.shift() ?? this.fallback;
        if (reply === 'hang') {
          this.hanging.add(res);
          return;
        }
        res.writeHead(reply.status, reply.headers).end('ok');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    for (const r of this.hanging) r.destroy();
    this.hanging.clear();
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}
