import { Injectable, Optional } from '@nestjs/common';
import { Histogram } from 'prom-client';
import { MetricsService } from '@cave/observability';

/** MCP tool calls on /metrics. The route's HTTP histogram misses them: the transport writes the raw response. */
@Injectable()
export class McpMetrics {
  readonly toolCalls?: Histogram<'tool' | 'outcome'>;

  constructor(@Optional() metrics?: MetricsService) {
    this.toolCalls = metrics
      ? new Histogram({
          name: 'cave_mcp_tool_call_seconds',
          help: 'MCP tool calls by tool and outcome (ok, replayed, or the failure kind: invalid, not_found, conflict, ...)',
          labelNames: ['tool', 'outcome'] as const,
          buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
          registers: [metrics.registry],
        })
      : undefined;
  }
}
