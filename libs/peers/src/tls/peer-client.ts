import { Agent, request } from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { CAVE_CONFIG, CaveConfig } from '@cave/config';
import type { SignedManifest } from '@cave/models';
import { nodeIdFromSubjectAltName } from '../pki/operator-pki';
import { DenyList } from './deny-list';
import type { NodeHealth } from './peer-node.service';
import { PeerNodeService } from './peer-node.service';
import { TLS_VERSIONS } from './peer-tls';

/** A peer request that failed; `kind` tells the replication engine whether to retry elsewhere at once. */
export class PeerRequestError extends Error {
  constructor(
    message: string,
    readonly kind: 'timeout' | 'refused' | 'http' | 'error',
    readonly status?: number,
  ) {
    super(message);
  }
}

/**
 * Dials other peers with this node's certificate over mutual TLS 1.3, trusting the operator CA only. The
 * server's certificate must name the URL's host (the address SAN) and must not be on the deny list.
 */
@Injectable()
export class PeerClient implements OnModuleDestroy {
  private readonly agent?: Agent;

  constructor(
    @Inject(CAVE_CONFIG) private readonly config: CaveConfig,
    node: PeerNodeService,
    private readonly denyList: DenyList,
  ) {
    const tls = node.tls;
    if (tls) this.agent = new Agent({ ca: tls.ca, cert: tls.cert, key: tls.key, ...TLS_VERSIONS, keepAlive: true, maxSockets: 64, rejectUnauthorized: true });
  }

  get configured(): boolean {
    return this.agent !== undefined;
  }

  onModuleDestroy(): void {
    this.agent?.destroy();
  }

  /** Opens a GET and resolves with the response once the status line arrived (2xx only) and the server's node id. */
  open(baseUrl: string, path: string, headers: Record<string, string> = {}, signal?: AbortSignal): Promise<{ res: IncomingMessage; nodeId: string | undefined }> {
    const agent = this.agent;
    if (!agent) return Promise.reject(new PeerRequestError('this node has no peer certificate (CAVE_PEER_CERT_FILE)', 'refused'));
    return new Promise((resolve, reject) => {
      const req = request(new URL(path, `${baseUrl}/`), { method: 'GET', agent, headers, signal }, (res) => {
        const cert = (res.socket as TLSSocket).getPeerCertificate?.();
        const refusal = cert ? this.denyList.refusal(cert) : undefined;
        if (refusal) {
          res.destroy();
          return reject(new PeerRequestError(`peer certificate refused: ${refusal}`, 'refused'));
        }
        const status = res.statusCode ?? 0;
        if (status < 200 || status > 299) {
          res.resume();
          return reject(new PeerRequestError(`HTTP ${status}`, 'http', status));
        }
        resolve({ res, nodeId: nodeIdFromSubjectAltName(cert?.subjectaltname) });
      });
      // Idle timeout: a peer that stops sending (killed, stalled) fails this request, not the whole job.
      req.setTimeout(this.config.peers.requestTimeoutMs, () => req.destroy(new PeerRequestError('timeout', 'timeout')));
      req.on('error', (e: NodeJS.ErrnoException) => reject(e instanceof PeerRequestError ? e : new PeerRequestError(e.code ?? e.message, /CERT|SSL|TLS|certificate/i.test(`${e.code} ${e.message}`) ? 'refused' : 'error')));
      req.end();
    });
  }

  async json<T>(baseUrl: string, path: string): Promise<{ body: T; nodeId: string | undefined }> {
    const { res, nodeId } = await this.open(baseUrl, path);
    res.setTimeout(this.config.peers.requestTimeoutMs, () => res.destroy(new PeerRequestError('timeout', 'timeout')));
    const parts: Buffer[] = [];
    let size = 0;
    for await (const part of res as AsyncIterable<Buffer>) {
      size += part.length;
      if (size > 64 * 1024 * 1024) throw new PeerRequestError('peer answer too large', 'error');
      parts.push(part);
    }
    try {
      return { body: JSON.parse(Buffer.concat(parts).toString('utf8')) as T, nodeId };
    } catch {
      throw new PeerRequestError('peer answered invalid JSON', 'error');
    }
  }

  async health(baseUrl: string): Promise<{ health: NodeHealth; rttMs: number; nodeId: string | undefined }> {
    const t0 = process.hrtime.bigint();
    const { body, nodeId } = await this.json<NodeHealth>(baseUrl, '/peer/v1/health');
    return { health: body, rttMs: Number(process.hrtime.bigint() - t0) / 1e6, nodeId };
  }

  async inventory(baseUrl: string): Promise<SignedManifest[]> {
    const { body } = await this.json<{ items?: SignedManifest[] }>(baseUrl, '/peer/v1/inventory');
    return Array.isArray(body.items) ? body.items : [];
  }
}
