import { Inject, Injectable, Logger, OnApplicationShutdown, Optional } from '@nestjs/common';
import { Counter, Histogram } from 'prom-client';
import { CAVE_CONFIG, CaveConfig } from '@cave/config';
import { MetricsService } from '@cave/observability';
import { RealtimeTransient } from '@cave/realtime';
import { ExecBusyError } from '../domain/runtime/sandbox-runtime.errors';
import type { SandboxMode } from '../contracts/sandbox.events';
import { sandboxStreamId } from '../contracts/sandbox.events';
import type { OutputChunk } from '../runtimes/runtime.types';
import { SandboxWorkerPool } from '../runtimes/worker/worker-pool';
import { ExecPlanCache } from './exec-plan.cache';

/** Quick-mode execs of one sandbox at once (persistent: always 1, the state is a single line of history). */
const QUICK_PER_SANDBOX = 4;

/**
 * The daemon's side of the sandbox runtimes: the worker pool, the per-sandbox and per-namespace exec
 * caps of this instance, the exec plan cache, the live-output path to realtime, and metrics. Edge-neutral: HTTP and MCP
 * handlers share it through the command handlers.
 */
@Injectable()
export class SandboxRuntimeHost implements OnApplicationShutdown {
  private readonly logger = new Logger('SandboxRuntime');
  readonly pool: SandboxWorkerPool;
  /** Quick Mode plans of this daemon's recent execs (ADR 0023). */
  readonly plans = new ExecPlanCache();
  private readonly perSandbox = new Map<string, number>();
  private readonly perNamespace = new Map<string, number>();
  readonly execs: Counter<'runtime' | 'mode' | 'outcome'>;
  readonly duration: Histogram<'runtime'>;

  constructor(
    @Inject(CAVE_CONFIG) config: CaveConfig,
    metrics: MetricsService,
    @Optional() private readonly transient?: RealtimeTransient,
  ) {
    this.pool = new SandboxWorkerPool({ size: config.sandbox.workers });
    const registers = [metrics.registry];
    this.execs = new Counter({ name: 'cave_sandbox_execs_total', help: 'Execs by runtime, mode and outcome (ok, TIMEOUT, OOM, RUNTIME_ERROR)', labelNames: ['runtime', 'mode', 'outcome'] as const, registers });
    this.duration = new Histogram({
      name: 'cave_sandbox_exec_seconds',
      help: 'Guest run time of an exec inside its worker',
      labelNames: ['runtime'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5, 30],
      registers,
    });
    const pool = this.pool;
    new Counter({
      name: 'cave_sandbox_workers_killed_total',
      help: 'Worker threads terminated at a deadline or by a stop, and replaced',
      registers,
      collect() {
        this.reset();
        this.inc(pool.killed);
      },
    });
  }

  /** Takes an exec slot or throws 429-kind ExecBusyError; call the returned function exactly once when done. */
  acquire(namespace: string, sandboxId: string, mode: SandboxMode, namespaceLimit: number): () => void {
    const perSandbox = mode === 'persistent' ? 1 : QUICK_PER_SANDBOX;
    if ((this.perSandbox.get(sandboxId) ?? 0) >= perSandbox) throw new ExecBusyError('sandbox', perSandbox);
    if ((this.perNamespace.get(namespace) ?? 0) >= namespaceLimit) throw new ExecBusyError('namespace', namespaceLimit);
    bump(this.perSandbox, sandboxId, 1);
    bump(this.perNamespace, namespace, 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      bump(this.perSandbox, sandboxId, -1);
      bump(this.perNamespace, namespace, -1);
    };
  }

  /** Live output to `stream:<sandbox stream id>` subscribers on every instance, in order. */
  outputSink(namespace: string, sandboxId: string, execId: string): (chunk: OutputChunk) => void {
    const target = { namespace, streamId: sandboxStreamId(sandboxId) };
    return (c) => this.transient?.send(target, 'exec_output', { execId, stream: c.stream, chunk: c.chunk, seq: c.seq });
  }

  /** Everything sent so far has left for the other instances. */
  async flushOutput(): Promise<void> {
    await this.transient?.flush();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool.close().catch((e: unknown) => this.logger.warn({ err: e }, 'sandbox workers did not stop cleanly'));
  }
}

function bump(m: Map<string, number>, key: string, by: number): void {
  const n = (m.get(key) ?? 0) + by;
  if (n <= 0) m.delete(key);
  else m.set(key, n);
}
