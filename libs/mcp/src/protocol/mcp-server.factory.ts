import { Injectable, Logger } from '@nestjs/common';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  ErrorCode,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  McpError,
  ReadResourceRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';
import type { Principal } from '@cave/kernel';
import { toMcpFailure, toRpcError } from '../errors/mcp-error.mapper';
import { SANDBOX_RESOURCE_TEMPLATES, SandboxResources } from '../resources/sandbox.resources';
import { ToolCatalog } from '../tools/tool-catalog';
import { setCheckedHandler } from './checked-handler';

export const SERVER_INFO = { name: 'cave', title: 'CAVE control plane', version: '0.1.0' };

const INSTRUCTIONS =
  'CAVE runs code in sandboxes. Create a sandbox, start it, run code, stop and delete it; every step is an event ' +
  'you can read back with sandbox_history or the cave://sandboxes/{id}/events resource. Failed calls carry a stable ' +
  '`code` in structuredContent. Set _meta["dev.cave/idempotency-key"] on a call you may retry.';

/**
 * Builds the MCP server for one HTTP request of one authenticated caller (stateless Streamable HTTP,
 * ADR 0011): every handler closes over that principal, so nothing of a caller outlives its request and
 * any daemon can answer the next one.
 */
@Injectable()
export class McpServerFactory {
  private readonly logger = new Logger('Mcp');

  constructor(
    private readonly tools: ToolCatalog,
    private readonly resources: SandboxResources,
  ) {}

  create(principal: Principal, httpRequestId: unknown): Server {
    const server = new Server(SERVER_INFO, { capabilities: { tools: {}, resources: {} }, instructions: INSTRUCTIONS });
    setCheckedHandler(server, ListToolsRequestSchema, async () => ({ tools: this.tools.list() }));
    setCheckedHandler(server, CallToolRequestSchema, async (request, extra) => {
      const token = request.params._meta?.progressToken;
      let step = 0;
      return this.tools.call({
        name: request.params.name,
        args: request.params.arguments ?? {},
        principal,
        httpRequestId,
        rpcId: extra.requestId,
        rpcMeta: request.params._meta,
        signal: extra.signal,
        // Progress only for a client that asked for it, tied to its request (MCP progress notifications).
        progress: async (message) => {
          if (token === undefined) return;
          await extra.sendNotification({ method: 'notifications/progress', params: { progressToken: token, progress: ++step, message } });
        },
      });
    });
    setCheckedHandler(server, ListResourcesRequestSchema, (request) => this.answer(() => this.resources.list(principal, request.params?.cursor)));
    setCheckedHandler(server, ListResourceTemplatesRequestSchema, async () => ({ resourceTemplates: SANDBOX_RESOURCE_TEMPLATES }));
    setCheckedHandler(server, ReadResourceRequestSchema, (request) => this.answer(() => this.resources.read(principal, request.params.uri)));
    return server;
  }

  /** A request other than tools/call fails as a JSON-RPC error carrying the domain code in `data`. */
  private async answer<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      const failure = toMcpFailure(e);
      if (failure) throw toRpcError(failure);
      this.logger.error({ err: e }, 'MCP request failed');
      throw new McpError(ErrorCode.InternalError, 'internal error; see server logs');
    }
  }
}
