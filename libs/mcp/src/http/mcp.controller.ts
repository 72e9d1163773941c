import { All, Controller, HttpCode, Post, Req, Res, UseFilters } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiExcludeEndpoint, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { ErrorCode } from '@modelcontextprotocol/sdk/types.js';
import type { Principal } from '@cave/kernel';
import { ApiProblems, CurrentPrincipal } from '@cave/http';
import { BatchNotSupportedError } from '../errors/mcp.errors';
import { McpServerFactory } from '../protocol/mcp-server.factory';
import { McpHttpErrorFilter } from './mcp-http.filter';

/**
 * `/mcp`: the Model Context Protocol over Streamable HTTP in stateless mode (ADR 0010). Each POST carries one
 * JSON-RPC message and gets a fresh server and transport bound to the caller's principal; the answer is JSON
 * or an SSE stream (progress notifications, then the result). The API-key guard authenticates it like REST.
 */
@ApiTags('mcp')
@ApiBearerAuth('apiKey')
@Controller('mcp')
@UseFilters(McpHttpErrorFilter)
export class McpController {
  constructor(private readonly servers: McpServerFactory) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Model Context Protocol endpoint (JSON-RPC 2.0 over Streamable HTTP)',
    description:
      'Not a REST resource: point an MCP client (Claude Desktop, an IDE, any MCP SDK) at this URL with the API key as bearer token. ' +
      'Stateless: no Mcp-Session-Id, any daemon answers any request. Send `Accept: application/json, text/event-stream` (406 otherwise) ' +
      'and one JSON-RPC message per request (batches are refused). Tools: sandbox_create, sandbox_list, sandbox_get, sandbox_start, ' +
      'sandbox_stop, sandbox_delete, sandbox_history. Resources: cave://sandboxes/{id}, cave://sandboxes/{id}/events. See docs/api.md.',
  })
  @ApiBody({
    description: 'One JSON-RPC 2.0 request or notification (initialize, tools/list, tools/call, resources/list, resources/read, ...)',
    schema: {
      type: 'object',
      required: ['jsonrpc', 'method'],
      properties: { jsonrpc: { type: 'string', enum: ['2.0'] }, id: { oneOf: [{ type: 'string' }, { type: 'integer' }] }, method: { type: 'string' }, params: { type: 'object' } },
      example: { jsonrpc: '2.0', id: 1, method: 'tools/list' },
    },
  })
  @ApiProduces('application/json', 'text/event-stream')
  @ApiOkResponse({ description: 'The JSON-RPC response (JSON, or an SSE stream of progress notifications and the response); 202 for a notification' })
  @ApiProblems(400, 406, 413, 415)
  async post(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentPrincipal() principal: Principal): Promise<void> {
    if (Array.isArray(req.body)) throw new BatchNotSupportedError();
    const server = this.servers.create(principal, req.id);
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    // From here the SDK writes the raw response; Fastify must not send one of its own.
    reply.hijack();
    reply.raw.on('close', () => void server.close());
    await server.connect(transport);
    await transport.handleRequest(req.raw, reply.raw, req.body);
  }

  /** Stateless: no server-initiated stream to GET and no session to DELETE. */
  @All()
  @ApiExcludeEndpoint()
  other(@Res() reply: FastifyReply): void {
    void reply
      .status(405)
      .header('allow', 'POST')
      .send({ jsonrpc: '2.0', error: { code: ErrorCode.ConnectionClosed, message: 'Method not allowed: this MCP endpoint is stateless; POST one JSON-RPC message per request' }, id: null });
  }
}
