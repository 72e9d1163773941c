import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { Injectable } from '@nestjs/common';
import { parseByteRange } from './byte-range';
import { PeerNodeService } from './peer-node.service';

const HEX64 = /^[0-9a-f]{64}$/;

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' }).end(text);
}

const problem = (res: ServerResponse, status: number, code: string, detail: string) => json(res, status, { status, code, detail });

/**
 * The peer API (`/peer/v1`), only reachable over the mutual-TLS listener: every caller already proved a
 * certificate of the operator CA that is not denied. Read-only: health, inventory, manifests and chunks.
 */
@Injectable()
export class PeerRoutes {
  constructor(private readonly node: PeerNodeService) {}

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') return problem(res, 405, 'PEERS.METHOD_NOT_ALLOWED', 'the peer API is read-only');
    if (path === '/peer/v1/health') return json(res, 200, await this.node.health());
    const artifacts = this.node.artifacts;
    if (path === '/peer/v1/inventory') return json(res, 200, { items: artifacts ? await artifacts.inventory() : [] });
    let m = /^\/peer\/v1\/manifests\/([^/]+)$/.exec(path);
    if (m) {
      if (!HEX64.test(m[1])) return problem(res, 400, 'PEERS.BAD_DIGEST', 'a sha256 is 64 lower-case hex digits');
      const signed = artifacts ? await artifacts.manifest(m[1]) : undefined;
      return signed ? json(res, 200, signed) : problem(res, 404, 'PEERS.MODEL_NOT_HELD', 'this node holds no verified model with that sha256');
    }
    m = /^\/peer\/v1\/chunks\/([^/]+)$/.exec(path);
    if (m) return this.chunk(m[1], req, res);
    return problem(res, 404, 'PEERS.NOT_FOUND', 'no such peer route');
  }

  private async chunk(sha: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!HEX64.test(sha)) return problem(res, 400, 'PEERS.BAD_DIGEST', 'a sha256 is 64 lower-case hex digits');
    const artifacts = this.node.artifacts;
    const whole = artifacts ? await artifacts.openChunk(sha, { start: 0, end: 0 }) : undefined;
    if (!artifacts || !whole) return problem(res, 404, 'PEERS.CHUNK_NOT_HELD', 'this node holds no verified chunk with that sha256');
    whole.body.destroy();
    const size = whole.size;
    const range = parseByteRange(req.headers.range, size);
    if (range === 'unsatisfiable') {
      res.writeHead(416, { 'content-range': `bytes */${size}`, 'content-type': 'application/json' }).end(JSON.stringify({ status: 416, code: 'PEERS.RANGE_NOT_SATISFIABLE' }));
      return;
    }
    const r = range ?? { start: 0, end: size - 1 };
    const opened = await artifacts.openChunk(sha, r);
    if (!opened) return problem(res, 404, 'PEERS.CHUNK_NOT_HELD', 'this node holds no verified chunk with that sha256');
    const headers: Record<string, string | number> = {
      'content-type': 'application/octet-stream',
      'content-length': r.end - r.start + 1,
      'accept-ranges': 'bytes',
      etag: `"${sha}"`,
    };
    if (range) headers['content-range'] = `bytes ${r.start}-${r.end}/${size}`;
    res.writeHead(range ? 206 : 200, headers);
    if (req.method === 'HEAD') {
      opened.body.destroy();
      res.end();
      return;
    }
    await pipeline(opened.body, res).catch(() => res.destroy());
  }
}
