import { createServer, connect, Server, Socket } from 'node:net';

/**
 * A TCP proxy in front of PostgreSQL that can stall: `pause()` stops moving bytes both ways (as a SIGSTOPped
 * postmaster would: connections stay open, nothing answers), `resume()` lets them flow again.
 */
export class PausableProxy {
  private readonly pairs = new Set<[Socket, Socket]>();
  private paused = false;

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(target: { host: string; port: number }): Promise<PausableProxy> {
    const state: { proxy?: PausableProxy } = {};
    const server = createServer((client) => {
      const upstream = connect(target.port, target.host);
      const pair: [Socket, Socket] = [client, upstream];
      state.proxy!.pairs.add(pair);
      client.pipe(upstream);
      upstream.pipe(client);
      if (state.proxy!.paused) for (const s of pair) s.pause();
      const close = () => {
        state.proxy!.pairs.delete(pair);
        client.destroy();
        upstream.destroy();
      };
      client.on('error', close).on('close', close);
      upstream.on('error', close).on('close', close);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    state.proxy = new PausableProxy(server, typeof address === 'object' && address ? address.port : 0);
    return state.proxy;
  }

  /** `url` with its host and port replaced by this proxy's. */
  url(url: string): string {
    const u = new URL(url);
    u.hostname = '127.0.0.1';
    u.port = String(this.port);
    return u.toString();
  }

  pause(): void {
    this.paused = true;
    for (const pair of this.pairs) for (const s of pair) s.pause();
  }

  resume(): void {
    this.paused = false;
    for (const pair of this.pairs) for (const s of pair) s.resume();
  }

  async close(): Promise<void> {
    for (const [a, b] of this.pairs) {
      a.destroy();
      b.destroy();
    }
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
