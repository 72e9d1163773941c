import { createServer, Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { CAVE_CONFIG, CaveConfig } from '@cave/config';
import { PeerNodeService } from './peer-node.service';
import { DenyList } from './deny-list';
import { PeerRoutes } from './peer-routes';
import { TLS_VERSIONS } from './peer-tls';

/**
 * The mutual-TLS listener on CAVE_PEER_PORT (off unless the port and the three certificate files are configured).
 * OpenSSL refuses a client without a certificate, with one from another CA, or an expired one during the
 * handshake (`requestCert` + `rejectUnauthorized` with the operator CA as the only trust anchor). A denied
 * certificate (deny list, as events) is cut right after the handshake, before one HTTP byte is read: in
 * TLS 1.3 the client's certificate arrives after the server's Finished, so a client sees both the same way.
 */
@Injectable()
export class PeerListener implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Peers');
  private server?: Server;

  constructor(
    @Inject(CAVE_CONFIG) private readonly config: CaveConfig,
    private readonly node: PeerNodeService,
    private readonly denyList: DenyList,
    private readonly routes: PeerRoutes,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const tls = this.node.tls;
    const port = this.config.peers.port;
    if (!tls || port === undefined) return;
    const server = createServer({
      ca: tls.ca,
      cert: tls.cert,
      key: tls.key,
      requestCert: true,
      rejectUnauthorized: true,
      ...TLS_VERSIONS,
      keepAliveTimeout: 30_000,
      requestTimeout: 0,
      headersTimeout: 10_000,
    });
    server.on('secureConnection', (socket: TLSSocket) => {
      const refusal = this.denyList.refusal(socket.getPeerCertificate());
      if (refusal) {
        this.logger.warn(`peer connection from ${socket.remoteAddress} refused: ${refusal}`);
        socket.destroy();
      }
    });
    server.on('tlsClientError', (e: Error, socket: TLSSocket) => this.logger.debug?.(`peer handshake from ${socket.remoteAddress} refused: ${e.message}`));
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      this.routes.handle(req, res).catch((e: Error) => {
        this.logger.error(`peer route ${req.url} failed: ${e.message}`);
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' }).end('{"code":"PEERS.INTERNAL"}');
        else res.destroy();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, this.config.peers.host, () => resolve());
    });
    this.server = server;
    this.logger.log(`peer listener (mutual TLS 1.3) on ${this.config.peers.host}:${this.port()} as node ${tls.nodeId}`);
  }

  /** The bound port (CAVE_PEER_PORT=0 picks a free one), undefined when off. */
  port(): number | undefined {
    return (this.server?.address() as AddressInfo | null)?.port;
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }
}
