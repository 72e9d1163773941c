import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ErrorCode } from '@modelcontextprotocol/sdk/types.js';
import { DomainError } from '@cave/kernel';
import { isDatabaseUnavailable, STATUS_BY_KIND } from '@cave/http';

/** A failure of the HTTP request itself on /mcp, as the JSON-RPC error body MCP clients parse. */
function rpcErrorBody(code: number, message: string, data: Record<string, unknown>) {
  return { jsonrpc: '2.0', error: { code, message, data }, id: null };
}

/**
 * Errors raised before a message reaches the MCP transport (no or a bad API key, a body that is too large,
 * not JSON or a batch) leave with their HTTP status and a JSON-RPC error whose `data.code` is the stable code
 * REST's problem+json would carry. The API-key guard has already set WWW-Authenticate on a 401.
 */
@Catch()
export class McpHttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('Mcp');

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    if (reply.sent || reply.raw.headersSent) {
      this.logger.error({ err: exception }, 'MCP request failed after the response started');
      return;
    }
    const { status, code, message } = this.classify(exception);
    if (status >= 500 && status !== 503) this.logger.error({ err: exception }, 'MCP request failed');
    const rpcCode = status >= 500 ? ErrorCode.InternalError : status === 400 && code === 'HTTP.INVALID_JSON' ? ErrorCode.ParseError : ErrorCode.InvalidRequest;
    void reply
      .status(status)
      .header('content-type', 'application/json; charset=utf-8')
      .send(rpcErrorBody(rpcCode, message, { code, status }));
  }

  private classify(e: unknown): { status: number; code: string; message: string } {
    if (e instanceof DomainError) return { status: STATUS_BY_KIND[e.kind], code: e.code, message: e.message };
    if (isDatabaseUnavailable(e)) return { status: 503, code: 'HTTP.DATABASE_UNAVAILABLE', message: 'the database is unavailable; retry later' };
    if (e instanceof HttpException) return { status: e.getStatus(), code: `HTTP.${e.getStatus()}`, message: e.message };
    const coded = (e ?? {}) as { statusCode?: unknown; code?: unknown; problemCode?: unknown; message?: unknown };
    if (typeof coded.statusCode === 'number' && coded.statusCode >= 400 && coded.statusCode < 500) {
      const status = coded.statusCode;
      const code =
        typeof coded.problemCode === 'string' ? coded.problemCode
        : status === 413 ? 'HTTP.PAYLOAD_TOO_LARGE'
        : status === 415 ? 'HTTP.UNSUPPORTED_MEDIA_TYPE'
        : coded.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || coded.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ? 'HTTP.INVALID_JSON'
        : 'HTTP.BAD_REQUEST';
      return { status, code, message: String(coded.message ?? 'bad request') };
    }
    return { status: 500, code: 'HTTP.INTERNAL', message: 'internal error; see server logs' };
  }
}
