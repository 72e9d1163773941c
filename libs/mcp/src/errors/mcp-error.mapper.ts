import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { DomainError, DomainErrorKind } from '@cave/kernel';
import { isDatabaseUnavailable } from '@cave/http';

/** What an MCP client learns about a failure: the same stable code and kind REST's problem+json carries. */
export interface McpFailure {
  code: string;
  kind: DomainErrorKind;
  message: string;
  [detail: string]: unknown;
}

/** JSON-RPC code of a failed resources/read, by kind (MCP reserves -32002 for "resource not found"). */
const RPC_CODE_BY_KIND: Record<DomainErrorKind, number> = {
  invalid: ErrorCode.InvalidParams,
  unauthorized: ErrorCode.InvalidRequest,
  forbidden: ErrorCode.InvalidRequest,
  not_found: -32002,
  conflict: ErrorCode.InvalidRequest,
  precondition_failed: ErrorCode.InvalidRequest,
  unprocessable: ErrorCode.InvalidParams,
  rate_limited: ErrorCode.InvalidRequest,
  unavailable: ErrorCode.InternalError,
  too_large: ErrorCode.InvalidParams,
  length_required: ErrorCode.InvalidParams,
  range_not_satisfiable: ErrorCode.InvalidParams,
};

/**
 * The one MCP error mapper: a failure of a command or query as the MCP edge reports it, or undefined
 * for a bug (which the SDK answers as a JSON-RPC internal error after we logged it). Mirrors the HTTP
 * problem mapping: domain errors by kind, a concurrent writer is a conflict (a stale `expectedVersion` a
 * failed precondition), a lost database is retryable.
 */
export function toMcpFailure(e: unknown, opts: { expectedVersion?: number } = {}): McpFailure | undefined {
  if (e instanceof DomainError) return { code: e.code, kind: e.kind, message: e.message, ...(e.details ?? {}) };
  const coded = (e ?? {}) as { code?: unknown; message?: unknown };
  if (coded.code === 'EVENT_STORE.CONCURRENCY') {
    return opts.expectedVersion !== undefined
      ? { code: 'HTTP.PRECONDITION_FAILED', kind: 'precondition_failed', message: String(coded.message) }
      : { code: 'EVENT_STORE.CONCURRENCY', kind: 'conflict', message: String(coded.message) };
  }
  if (coded.code === 'EVENT_STORE.INVALID_CURSOR') return { code: 'HTTP.INVALID_CURSOR', kind: 'invalid', message: String(coded.message) };
  if (coded.code === '22021' || coded.code === '22P05') return { code: 'HTTP.INVALID_TEXT', kind: 'invalid', message: 'text must not contain NUL characters' };
  if (isDatabaseUnavailable(e)) return { code: 'HTTP.DATABASE_UNAVAILABLE', kind: 'unavailable', message: 'the database is unavailable; retry later' };
  return undefined;
}

/** A failed tool call: `isError` with the failure as structured content, so an agent can read the code. */
export function toolErrorResult(failure: McpFailure): CallToolResult {
  return { isError: true, content: [{ type: 'text', text: `${failure.code}: ${failure.message}` }], structuredContent: failure };
}

/** A failed resources/read (or other non-tool request): a JSON-RPC error whose data carries the code. */
export function toRpcError(failure: McpFailure): McpError {
  return new McpError(RPC_CODE_BY_KIND[failure.kind], failure.message, { code: failure.code, kind: failure.kind });
}
