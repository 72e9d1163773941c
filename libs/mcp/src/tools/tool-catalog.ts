import { Inject, Injectable, Logger } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import type { CallToolResult, RequestId, Tool } from '@modelcontextprotocol/sdk/types.js';
import { CommandMeta, commandMetaFor, FieldProblem, Principal, VALIDATION_CODE } from '@cave/kernel';
import { canonicalJson, IdempotencyKeyInUseError, IdempotencyKeyReusedError, IdempotencyStore } from '@cave/idempotency';
import { McpFailure, toMcpFailure, toolErrorResult } from '../errors/mcp-error.mapper';
import { callFingerprint, callIdempotencyKey } from '../protocol/call-idempotency';
import { McpMetrics } from './mcp.metrics';
import { McpTool, ToolOutput } from './mcp-tool';

export const MCP_TOOLS = Symbol('MCP_TOOLS');

/** One tools/call as the transport delivered it. */
export interface ToolRequest {
  name: string;
  args: Record<string, unknown>;
  principal: Principal;
  /** The HTTP request's id (X-Request-Id or generated): the command's correlation id, as on REST. */
  httpRequestId: unknown;
  rpcId: RequestId;
  rpcMeta?: Record<string, unknown>;
  progress(message: string): Promise<void>;
  signal: AbortSignal;
}

function fieldProblems(errors: ErrorObject[] | null | undefined): FieldProblem[] {
  return (errors ?? []).map((e) => {
    const path = e.instancePath.slice(1).replace(/\//g, '.');
    const extra = e.keyword === 'additionalProperties' ? (e.params as { additionalProperty: string }).additionalProperty : undefined;
    const field = [path, extra].filter(Boolean).join('.') || 'arguments';
    return { field, message: extra ? `property ${extra} should not exist` : `${field} ${e.message ?? 'is invalid'}` };
  });
}

/**
 * The MCP tools and how a call runs: check the arguments against the tool's schema, build the command
 * metadata once (actor, namespace, correlation id, channel `mcp`, idempotency key), claim the key exactly
 * as REST's Idempotency-Key is claimed (a retry replays the first result, the same key with other
 * arguments is refused), run, and turn a domain failure into an `isError` result with its stable code.
 */
@Injectable()
export class ToolCatalog {
  private readonly logger = new Logger('Mcp');
  private readonly byName = new Map<string, { tool: McpTool; validate: ValidateFunction }>();

  constructor(
    @Inject(MCP_TOOLS) tools: McpTool[],
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    private readonly idempotency: IdempotencyStore,
    private readonly metrics: McpMetrics,
  ) {
    const ajv = new Ajv({ allErrors: true, strict: true });
    for (const tool of tools) this.byName.set(tool.name, { tool, validate: ajv.compile(tool.inputSchema) });
  }

  list(): Tool[] {
    return [...this.byName.values()].map(({ tool }) => ({
      name: tool.name,
      title: tool.title,
      description: tool.description,
      inputSchema: tool.inputSchema,
      annotations: tool.annotations,
    }));
  }

  async call(req: ToolRequest): Promise<CallToolResult> {
    const started = process.hrtime.bigint();
    const result = await this.dispatch(req);
    if (this.byName.has(req.name)) {
      const failure = result.isError ? (result.structuredContent as { kind?: string } | undefined)?.kind : undefined;
      const outcome = failure ?? (result._meta?.['dev.cave/idempotent-replayed'] ? 'replayed' : 'ok');
      this.metrics.toolCalls?.observe({ tool: req.name, outcome }, Number(process.hrtime.bigint() - started) / 1e9);
    }
    return result;
  }

  private async dispatch(req: ToolRequest): Promise<CallToolResult> {
    const entry = this.byName.get(req.name);
    // MCP: an unknown tool is a protocol error, not a tool result.
    if (!entry) throw new McpError(ErrorCode.InvalidParams, `unknown tool: ${req.name.slice(0, 100)}`);
    const { tool, validate } = entry;
    if (!validate(req.args)) {
      return toolErrorResult({ code: VALIDATION_CODE, kind: 'invalid', message: 'tool arguments validation failed', errors: fieldProblems(validate.errors) });
    }
    let key: string | undefined;
    try {
      key = tool.mutating ? callIdempotencyKey(req.rpcMeta, req.rpcId, req.principal.keyId) : undefined;
    } catch (e) {
      return this.failed(e, req);
    }
    const meta = commandMetaFor(req.principal, { requestId: req.httpRequestId, idempotencyKey: key, channel: 'mcp' });
    if (key === undefined) return this.run(tool, req, meta);
    return this.runOnce(tool, req, meta, key);
  }

  private async runOnce(tool: McpTool, req: ToolRequest, meta: CommandMeta, key: string): Promise<CallToolResult> {
    const { namespace } = req.principal;
    const fingerprint = callFingerprint(tool.name, req.args, canonicalJson);
    let claim: Awaited<ReturnType<IdempotencyStore['claim']>>;
    try {
      claim = await this.idempotency.claim(namespace, key, fingerprint);
    } catch (e) {
      return this.failed(e, req);
    }
    switch (claim.kind) {
      case 'mismatch':
        this.idempotency.count('mismatch');
        return this.failed(new IdempotencyKeyReusedError(), req);
      case 'in_progress':
        this.idempotency.count('in_progress');
        return this.failed(new IdempotencyKeyInUseError(), req);
      case 'replay':
        this.idempotency.count('replayed');
        return { ...(JSON.parse(claim.response.body ?? '{}') as CallToolResult), _meta: { 'dev.cave/idempotent-replayed': true } };
      case 'claimed': {
        this.idempotency.count('executed');
        const result = await this.run(tool, req, meta).catch(async (e: unknown) => {
          await this.idempotency.release(namespace, key, fingerprint).catch(() => undefined);
          throw e;
        });
        // A failed command committed nothing: release the key so a retry may run (as REST does).
        try {
          if (result.isError) await this.idempotency.release(namespace, key, fingerprint);
          else await this.idempotency.complete(namespace, key, fingerprint, { status: 200, headers: {}, body: JSON.stringify(result) });
        } catch (e) {
          // The command committed; a lost record only means a retry within the lease sees "in progress".
          this.logger.warn({ err: e, tool: tool.name }, 'MCP idempotency record not completed');
        }
        return result;
      }
    }
  }

  private async run(tool: McpTool, req: ToolRequest, meta: CommandMeta): Promise<CallToolResult> {
    try {
      const out: ToolOutput = await tool.run(req.args, { principal: req.principal, meta, commands: this.commands, queries: this.queries, progress: req.progress, signal: req.signal });
      return { content: [{ type: 'text', text: out.text }], structuredContent: out.structured };
    } catch (e) {
      return this.failed(e, req);
    }
  }

  private failed(e: unknown, req: ToolRequest): CallToolResult {
    const expectedVersion = typeof req.args.expectedVersion === 'number' ? req.args.expectedVersion : undefined;
    const failure: McpFailure | undefined = toMcpFailure(e, { expectedVersion });
    if (failure) return toolErrorResult(failure);
    this.logger.error({ err: e, tool: req.name, namespace: req.principal.namespace }, 'MCP tool failed');
    throw new McpError(ErrorCode.InternalError, 'internal error; see server logs');
  }
}
