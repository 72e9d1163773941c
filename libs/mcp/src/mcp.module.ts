import { Module, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { installJsonRpcErrorEnvelope } from './http/json-rpc-envelope';
import { CqrsModule } from '@nestjs/cqrs';
import { McpController } from './http/mcp.controller';
import { McpServerFactory } from './protocol/mcp-server.factory';
import { SandboxResources } from './resources/sandbox.resources';
import { createSandboxTool, deleteSandboxTool, startSandboxTool, stopSandboxTool } from './tools/sandbox-lifecycle.tools';
import { getSandboxTool, listSandboxesTool, sandboxHistoryTool } from './tools/sandbox-read.tools';
import { execSandboxTool, forkSandboxTool, restoreSandboxTool, snapshotSandboxTool } from './tools/sandbox-runtime.tools';
import { McpMetrics } from './tools/mcp.metrics';
import { MCP_TOOLS, ToolCatalog } from './tools/tool-catalog';

const TOOLS = [
  createSandboxTool,
  listSandboxesTool,
  getSandboxTool,
  startSandboxTool,
  execSandboxTool,
  snapshotSandboxTool,
  restoreSandboxTool,
  forkSandboxTool,
  stopSandboxTool,
  deleteSandboxTool,
  sandboxHistoryTool,
];

/** The MCP edge: tools and resources over the sandbox context's commands and queries, mounted at /mcp. */
@Module({
  imports: [CqrsModule],
  controllers: [McpController],
  providers: [{ provide: MCP_TOOLS, useValue: TOOLS }, McpMetrics, ToolCatalog, SandboxResources, McpServerFactory],
})
export class McpModule implements OnModuleInit {
  constructor(private readonly http: HttpAdapterHost) {}

  onModuleInit(): void {
    installJsonRpcErrorEnvelope(this.http.httpAdapter.getInstance<FastifyInstance>());
  }
}
