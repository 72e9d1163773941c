import { Controller, Delete, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiExcludeEndpoint, ApiOkResponse, ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { ErrorCode } from '@modelcontextprotocol/sdk/types.js';
import type { Principal } from '@cave/kernel';
import { CurrentPrincipal } from '@cave/http';
import { BatchNotSupportedError } from '../errors/mcp.errors';
import { McpServerFactory } from '../protocol/mcp-server.factory';

/** Errors before the transport: JSON-RPC error bodies (not problem+json), `error.data.code` the stable code. */
const RPC_ERROR = (status: number, description: string) =>
  ApiResponse({
    status,
    description,
    content: {
      'application/json': {
        schema: {
          type: 'object',
          properties: {
            jsonrpc: { type: 'string', enum: ['2.0'] },
            id: { type: 'string', nullable: true },
            error: {
              type: 'object',
              properties: { code: { type: 'integer', example: -32600 }, message: { type: 'string' }, data: { type: 'object', properties: { code: { type: 'string', example: 'KEYS.UNAUTHORIZED' } } } },
            },
          },
        },
      },
    },
  });

/**
 * `/mcp`: the Model Context Protocol over Streamable HTTP in stateless mode (ADR 0011). Each POST carries one
 * JSON-RPC message and gets a fresh server and transport bound to the caller's principal; the answer is JSON
 * or an SSE stream (progress notifications, then the result). The API-key guard authenticates it like REST.
 */
@ApiTags('mcp')
@ApiBearerAuth('apiKey')
@Controller('mcp')
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
      'sandbox_exec, sandbox_snapshot, sandbox_restore, sandbox_fork, sandbox_stop, sandbox_delete, sandbox_history. Resources: cave://sandboxes/{id}, cave://sandboxes/{id}/events. See docs/api.md.',
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
  @RPC_ERROR(400, 'Not one JSON-RPC message: a batch (`MCP.BATCH_NOT_SUPPORTED`), bad JSON (-32700), not JSON-RPC')
  @RPC_ERROR(401, 'No or an invalid API key (with WWW-Authenticate)')
  @RPC_ERROR(406, 'Accept lacks application/json or text/event-stream')
  @RPC_ERROR(413, 'Body larger than the configured limit')
  @RPC_ERROR(415, 'Body is not application/json')
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
  @Get()
  @ApiExcludeEndpoint()
  get(@Res() reply: FastifyReply): void {
    this.notAllowed(reply);
  }

  @Delete()
  @ApiExcludeEndpoint()
  delete(@Res() reply: FastifyReply): void {
    this.notAllowed(reply);
  }

  private notAllowed(@Res() reply: FastifyReply): void {
    void reply
      .status(405)
      .header('allow', 'POST')
      .send({ jsonrpc: '2.0', error: { code: ErrorCode.ConnectionClosed, message: 'Method not allowed: this MCP endpoint is stateless; POST one JSON-RPC message per request' }, id: null });
  }
}
