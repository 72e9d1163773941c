import type { CommandBus, QueryBus } from '@nestjs/cqrs';
import type { ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import type { CommandMeta, Principal } from '@cave/kernel';

/** A JSON Schema object as MCP's tools/list carries it. */
export interface ObjectSchema {
  type: 'object';
  properties: Record<string, object>;
  required?: string[];
  additionalProperties?: boolean;
  [keyword: string]: unknown;
}

/** Everything a tool call runs with: who calls, the command metadata built once for this call, the buses. */
export interface ToolCall {
  principal: Principal;
  meta: CommandMeta;
  commands: CommandBus;
  queries: QueryBus;
  /** Sends an MCP progress notification when the client asked for progress (a no-op otherwise). */
  progress(message: string): Promise<void>;
  signal: AbortSignal;
}

/** A tool's answer: `structured` becomes `structuredContent`, `text` the text rendering beside it. */
export interface ToolOutput {
  structured: Record<string, unknown>;
  text: string;
}

/**
 * One MCP tool over one command or query of a context. `inputSchema` is derived from the context's own
 * rules (its exported bounds and parsers) and checked before `run`; commands re-check with the domain.
 */
export interface McpTool {
  name: string;
  title: string;
  description: string;
  inputSchema: ObjectSchema;
  annotations: ToolAnnotations;
  /** Changes state: the call's idempotency key (from `_meta` or the request id) goes into its command. */
  mutating: boolean;
  run(args: Record<string, unknown>, call: ToolCall): Promise<ToolOutput>;
}
