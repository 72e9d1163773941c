import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Database } from '@cave/event-store';
import { parseExecRequest } from '../../domain/runtime/exec-request';
import { effectiveLimits } from '../../domain/runtime/namespace-policy';
import { SandboxExecData } from '../../domain/runtime/sandbox-runtime.events';
import {
  ExecCancelledError,
  ExecConflictError,
  NoModuleError,
  RuntimeUnavailableError,
  SandboxNotRunningError,
  SnapshotIncompatibleDomainError,
} from '../../domain/runtime/sandbox-runtime.errors';
import type { ExecJob, ExecOutcome, OutputChunk } from '../../runtimes/runtime.types';
import { WorkerJobFailed } from '../../runtimes/worker/worker-pool';
import { RuntimeEventsAppender } from '../../runtime-host/runtime-events.appender';
import { SandboxRuntimeHost } from '../../runtime-host/sandbox-runtime.host';
import { SandboxBlobs } from '../../runtime-host/sandbox-blobs';
import { SandboxRuntimeRepository, StateRow } from '../../runtime-host/sandbox-runtime.repository';
import type { CachedPlan } from '../../runtime-host/exec-plan.cache';
import { ExecResult, ExecSandboxCommand } from './exec-sandbox.command';

/**
 * Read (sandbox, policy, state) in one round trip, or take a Quick Mode sandbox's plan from the cache (ADR 0023),
 * run in a worker thread with no transaction open, then record: the sandbox must still be running (row lock against
 * a concurrent stop) under the policy version the exec ran with, a persistent sandbox's durable state moves on by
 * compare-and-set (ADR 0014), and `sandbox_exec` is appended. Live output went to realtime while it ran; the
 * response waits until it left.
 */
@CommandHandler(ExecSandboxCommand)
export class ExecSandboxHandler implements ICommandHandler<ExecSandboxCommand, ExecResult> {
  private readonly logger = new Logger('SandboxRuntime');

  constructor(
    private readonly db: Database,
    private readonly repo: SandboxRuntimeRepository,
    private readonly host: SandboxRuntimeHost,
    private readonly events: RuntimeEventsAppender,
    private readonly blobs: SandboxBlobs,
  ) {}

  async execute(cmd: ExecSandboxCommand): Promise<ExecResult> {
    try {
      return await this.attempt(cmd, true);
    } catch (e) {
      // It ran under a policy that changed meanwhile (set on another daemon): once more, under the current one.
      if (e instanceof PolicyMoved) return this.attempt(cmd, false);
      throw e;
    }
  }

  private async attempt({ sandboxId, body, meta, onOutput }: ExecSandboxCommand, first: boolean): Promise<ExecResult> {
    const { namespace } = meta;
    const plan = (first && this.cachedPlan(namespace, sandboxId)) || (await this.freshPlan(namespace, sandboxId));
    const spec = parseExecRequest(body, plan.runtime, effectiveLimits(plan.limits, plan.policy));
    const state = plan.mode === 'persistent' || plan.runtime === 'wasi' ? plan.state : undefined;
    if (plan.runtime === 'wasi' && !state?.moduleSha256) throw new NoModuleError(sandboxId);
    const persistent = plan.runtime === 'javascript' && plan.mode === 'persistent';
    const release = this.host.acquire(namespace, sandboxId, persistent ? 'persistent' : 'quick', plan.policy.maxConcurrentExecs);
    const execId = randomUUID();
    try {
      const job: ExecJob =
        plan.runtime === 'javascript'
          ? { kind: 'javascript', code: spec.code!, limits: spec.limits, ...(persistent && { persistent: { key: sandboxId, version: state!.version } }) }
          : { kind: 'wasi', moduleSha256: state!.moduleSha256!, args: spec.args, env: spec.env, stdin: spec.stdin, limits: spec.limits };
      const outcome = await this.run(job, namespace, sandboxId, execId, state?.version ?? 0, state?.moduleSha256 ?? undefined, onOutput);
      const data = toExecData(sandboxId, execId, outcome);
      await this.record(namespace, sandboxId, plan, first, persistent ? { version: state!.version, produced: outcome.state } : undefined, data, meta).catch((e: unknown) => {
        // The worker already holds the state this exec produced; it must not serve it if it was not kept.
        if (persistent) this.host.pool.evict(sandboxId);
        throw e;
      });
      this.host.execs.inc({ runtime: plan.runtime, mode: plan.mode, outcome: outcome.error?.code ?? 'ok' });
      this.host.duration.observe({ runtime: plan.runtime }, outcome.durationMs / 1000);
      await this.host.flushOutput();
      return {
        execId,
        exitCode: outcome.exitCode,
        stdout: outcome.stdout,
        stderr: outcome.stderr,
        truncated: outcome.truncated,
        durationMs: outcome.durationMs,
        ...(outcome.error && { error: outcome.error }),
      };
    } finally {
      release();
    }
  }

  private cachedPlan(namespace: string, sandboxId: string): Plan | undefined {
    const cached = this.host.plans.get(namespace, sandboxId);
    return cached && { ...cached, cached: true };
  }

  /** Sandbox, policy and durable state in one statement (one round trip, one snapshot); a quick plan is kept. */
  private async freshPlan(namespace: string, sandboxId: string): Promise<Plan> {
    const { sandbox, policy, policyVersion, state } = await this.repo.execPlan(namespace, sandboxId);
    if (sandbox.state !== 'running') throw new SandboxNotRunningError(sandboxId, sandbox.state);
    const plan = { runtime: sandbox.runtime, mode: sandbox.mode, limits: sandbox.limits, policy, policyVersion };
    this.host.plans.remember(namespace, sandboxId, plan);
    return { ...plan, state, cached: false };
  }

  /**
   * Why the record was refused, read again after the fact (the refusal is rare: a stop, a delete or a policy change
   * since the plan). The plan is dropped from the cache either way.
   */
  private async refusal(namespace: string, sandboxId: string, plan: Plan, first: boolean): Promise<Error> {
    this.host.plans.forget(namespace, sandboxId);
    const now = await this.repo.execPlan(namespace, sandboxId).catch((e: Error) => e);
    if (now instanceof Error) return now;
    // From the cache, the stop may well have come before this exec: the answer a fresh plan read would have given.
    if (now.sandbox.state !== 'running') return plan.cached ? new SandboxNotRunningError(sandboxId, now.sandbox.state) : new ExecCancelledError(sandboxId);
    if (now.policyVersion !== plan.policyVersion) return first ? new PolicyMoved() : new ExecConflictError(sandboxId);
    // Stopped and started again while it ran.
    return new ExecCancelledError(sandboxId);
  }

  /**
   * `sandbox_exec`, only while the sandbox is still running under the plan's policy version (its row locked FOR NO KEY UPDATE: a concurrent stop's
   * UPDATE waits or is waited for, and two execs of one sandbox recording at once are ordered, so their `any`-version
   * appends to the runtime stream do not collide). With nothing else to write (Quick Mode, WASI) that is one
   * statement; a persistent exec's new state moves on by compare-and-set in the same transaction.
   */
  private async record(
    namespace: string,
    sandboxId: string,
    plan: Plan,
    first: boolean,
    persistent: { version: number; produced?: ExecOutcome['state'] } | undefined,
    data: SandboxExecData,
    meta: ExecSandboxCommand['meta'],
  ): Promise<void> {
    const produced = persistent?.produced;
    if (!persistent || !produced) {
      if (!(await this.events.appendWhileRunning(sandboxId, { type: 'sandbox_exec', data }, meta, plan.policyVersion))) throw await this.refusal(namespace, sandboxId, plan, first);
      return;
    }
    await this.db.tenant(namespace, async (c) => {
      const now = await this.repo.sandbox(c, sandboxId, 'no key update');
      if (now.state !== 'running') throw new ExecCancelledError(sandboxId);
      if (!(await this.repo.writeState(c, namespace, sandboxId, persistent.version, produced.image, produced.sha256))) throw new ExecConflictError(sandboxId);
      data.stateVersion = persistent.version + 1;
      await this.events.append(c, sandboxId, { type: 'sandbox_exec', data }, meta);
    });
  }

  private async run(
    job: ExecJob,
    namespace: string,
    sandboxId: string,
    execId: string,
    version: number,
    moduleSha?: string,
    onOutput?: (chunk: OutputChunk) => void,
  ): Promise<ExecOutcome> {
    const sink = this.host.outputSink(namespace, sandboxId, execId);
    try {
      return await this.host.pool.run({
        job,
        sandboxId,
        onChunk: (chunk) => {
          sink(chunk);
          onOutput?.(chunk);
        },
        supply: async (what) => {
          const bytes = await this.db.tenant(namespace, (c) => (what === 'state' ? this.repo.stateImage(c, sandboxId, version) : this.blobs.get(namespace, 'module', moduleSha!, c)));
          if (!bytes) throw new ExecConflictError(sandboxId);
          return bytes;
        },
      });
    } catch (e) {
      if (!(e instanceof WorkerJobFailed)) throw e;
      if (e.code === 'SANDBOX.EXEC_CANCELLED') throw new ExecCancelledError(sandboxId);
      if (e.code === 'SANDBOX.SNAPSHOT_INCOMPATIBLE') throw new SnapshotIncompatibleDomainError(e.message);
      this.logger.error({ err: e, sandboxId }, 'sandbox worker failed');
      throw new RuntimeUnavailableError('the sandbox runtime failed; retry');
    }
  }
}

/** What an exec runs on: from a fresh read (with the durable state) or from the cache (Quick Mode, no state). */
type Plan = CachedPlan & { state?: StateRow; cached: boolean };

/** The record was refused because the namespace's policy moved since the plan: the exec is run again, once. */
class PolicyMoved extends Error {}

/** NUL cannot be stored in jsonb: excerpts carry U+FFFD instead (the hashes cover the real bytes). */
function storable(s: string): string {
  return s.includes('\u0000') ? s.replace(/\u0000/g, '\ufffd') : s;
}

function toExecData(sandboxId: string, execId: string, o: ExecOutcome): SandboxExecData {
  return {
    sandboxId,
    execId,
    exitCode: o.exitCode,
    durationMs: o.durationMs,
    ...(o.error && { error: { code: o.error.code, message: storable(o.error.message) } }),
    truncated: o.truncated,
    stdoutBytes: o.stdoutBytes,
    stderrBytes: o.stderrBytes,
    stdoutSha256: o.stdoutSha256,
    stderrSha256: o.stderrSha256,
    stdoutExcerpt: storable(o.stdout),
    stderrExcerpt: storable(o.stderr),
  };
}
