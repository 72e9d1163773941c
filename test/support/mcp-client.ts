import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import request from 'supertest';

/** An MCP SDK client connected to `<base>/mcp` with `key` as bearer token (or none); closed by `close()`. */
export async function mcpClient(base: string, key?: string, fetchVia?: FetchLike): Promise<Client> {
  const client = new Client({ name: 'cave-e2e', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(`${base}/mcp`), {
    requestInit: key === undefined ? {} : { headers: { authorization: `Bearer ${key}` } },
    ...(fetchVia && { fetch: fetchVia }),
  });
  await client.connect(transport);
  return client;
}

/** The structured content of a successful tool call; fails the test with the error text otherwise. */
export function ok<T = Record<string, unknown>>(result: Awaited<ReturnType<Client['callTool']>>): T {
  const r = result as CallToolResult;
  if (r.isError) throw new Error(`tool failed: ${JSON.stringify(r.structuredContent ?? r.content)}`);
  expect(r.content[0]).toMatchObject({ type: 'text', text: expect.any(String) });
  return r.structuredContent as T;
}

/** The failure of a tool call that must fail: `{ code, kind, message, ... }`. */
export function failure(result: Awaited<ReturnType<Client['callTool']>>): Record<string, unknown> & { code: string } {
  const r = result as CallToolResult;
  expect(r.isError).toBe(true);
  expect((r.content[0] as { text: string }).text).toContain(String((r.structuredContent as { code: string }).code));
  return r.structuredContent as Record<string, unknown> & { code: string };
}

/** A JSON-RPC response as these tests read it. */
export interface RpcMessage {
  jsonrpc: string;
  id: string | number | null;
  result?: { structuredContent?: { sandbox?: { id: string } } };
  error?: { code: number; message: string; data?: { code?: string } };
}

export const ACCEPT = 'application/json, text/event-stream';

/**
 * One raw JSON-RPC POST to /mcp; the answer parsed from JSON or from the SSE stream (its last message),
 * with the HTTP status and headers.
 */
export async function rawRpc(base: string, body: unknown, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, string>; message: RpcMessage }> {
  const req = request(base).post('/mcp').set({ accept: ACCEPT, 'content-type': 'application/json', ...headers });
  const res = await (typeof body === 'string' ? req.send(body) : req.send(body as object)).buffer(true).parse((r, done) => {
    let text = '';
    r.on('data', (c: Buffer) => (text += c.toString('utf8')));
    r.on('end', () => done(null, text));
  });
  const text = String(res.body ?? '');
  let message: RpcMessage | undefined;
  if (/^text\/event-stream/.test(res.headers['content-type'] ?? '')) {
    const data = text.split('\n').filter((l) => l.startsWith('data: ')).map((l) => JSON.parse(l.slice(6)));
    message = data[data.length - 1];
  } else if (text !== '') {
    message = JSON.parse(text);
  }
  return { status: res.status, headers: res.headers as Record<string, string>, message: message as RpcMessage };
}
