import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ErrorCode } from '@modelcontextprotocol/sdk/types.js';

export const MCP_PATH = '/mcp';

// Fastify's codes for a body that is not JSON at all: JSON-RPC calls that a parse error (-32700).
const PARSE_ERRORS = new Set(['FST_ERR_CTP_INVALID_JSON_BODY', 'FST_ERR_CTP_EMPTY_JSON_BODY']);
const PARSE_FAILED = Symbol('mcpParseFailed');

type Tagged = FastifyRequest & { [PARSE_FAILED]?: boolean };

function isMcp(req: FastifyRequest): boolean {
  return req.routeOptions?.url === MCP_PATH;
}

function rpcCode(status: number, parseFailed: boolean): number {
  if (parseFailed) return ErrorCode.ParseError;
  return status >= 500 ? ErrorCode.InternalError : ErrorCode.InvalidRequest;
}

/**
 * A request to /mcp that fails before the MCP transport sees it (no or a bad API key, a body too large, not
 * JSON, another media type, a batch) is answered by the one problem filter like every route; MCP clients parse
 * JSON-RPC, so this hook re-wraps that problem as a JSON-RPC error: same HTTP status and headers (a 401 keeps
 * its WWW-Authenticate), `error.data.code` the problem's stable code. Responses the transport writes itself
 * never pass through here (the route hijacks the reply).
 */
export function installJsonRpcErrorEnvelope(fastify: FastifyInstance): void {
  fastify.addHook('onError', async (req: Tagged, _reply, error: Error & { code?: string }) => {
    if (isMcp(req) && error.code !== undefined && PARSE_ERRORS.has(error.code)) req[PARSE_FAILED] = true;
  });
  fastify.addHook('onSend', async (req: Tagged, reply, payload) => {
    if (!isMcp(req) || !/^application\/problem\+json/i.test(String(reply.getHeader('content-type') ?? ''))) return payload;
    const problem = JSON.parse(String(payload)) as { status: number; code: string; detail: string; type: string };
    void reply.header('content-type', 'application/json; charset=utf-8');
    return JSON.stringify({
      jsonrpc: '2.0',
      id: null,
      error: { code: rpcCode(problem.status, req[PARSE_FAILED] === true), message: problem.detail, data: { code: problem.code, status: problem.status, type: problem.type } },
    });
  });
}
