import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type UpstreamMode = 'fail' | 'hang' | 'stream';

/** What the streaming upstream answers, split into these chunks. */
export const UPSTREAM_CHUNKS = ['Hello', ' from', ' the', ' upstream'];
export const UPSTREAM_DIMENSIONS = 8;

/**
 * A loopback server in the OpenAI-compatible shape (as llama-server, Ollama and vLLM speak it), one per mode:
 * `fail` answers 500, `hang` never answers (until closed), `stream` streams `UPSTREAM_CHUNKS` as SSE with usage.
 * It records the bodies it received.
 */
export class OpenAiCompatibleServer {
  readonly requests: Record<string, unknown>[] = [];
  private readonly hanging = new Set<ServerResponse>();
  private server?: Server;
  url = '';

  constructor(private readonly mode: UpstreamMode) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/v1`;
    return this;
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((r) => this.server?.close(() => r()) ?? r());
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let raw = '';
    for await (const c of req) raw += c;
    const body = JSON.parse(raw || '{}') as Record<string, unknown>;
    this.requests.push({ path: req.url, ...body });
    if (this.mode === 'fail') {
      res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":{"message":"upstream exploded"}}');
      return;
    }
    if (this.mode === 'hang') {
      this.hanging.add(res);
      return;
    }
    if (req.url === '/v1/embeddings') {
      const inputs = Array.isArray(body.input) ? body.input : [body.input];
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({ object: 'list', data: inputs.map((_, index) => ({ object: 'embedding', index, embedding: Array.from({ length: UPSTREAM_DIMENSIONS }, (_v, i) => i / 10 + index) })), usage: { prompt_tokens: 3, total_tokens: 3 } }),
      );
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const base = { id: 'up-1', object: 'chat.completion.chunk', created: 1, model: String(body.model) };
    res.write(`data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] })}\n\n`);
    for (const c of UPSTREAM_CHUNKS) res.write(`data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: { content: c }, finish_reason: null }] })}\n\n`);
    res.write(`data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\n`);
    res.write(`data: ${JSON.stringify({ ...base, choices: [], usage: { prompt_tokens: 7, completion_tokens: UPSTREAM_CHUNKS.length, total_tokens: 7 + UPSTREAM_CHUNKS.length } })}\n\n`);
    res.end('data: [DONE]\n\n');
  }
}
