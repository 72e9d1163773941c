import { Injectable, Logger } from '@nestjs/common';
import { Database } from '@cave/event-store';
import { SandboxRuntimeRepository } from './sandbox-runtime.repository';
import { SandboxRuntimeHost } from './sandbox-runtime.host';

/**
 * Called by the transition slice after a stop or delete committed. Stop and delete end the sandbox's
 * running execs on this daemon at once (their threads are terminated, which frees their memory); an
 * exec on another daemon finds the sandbox stopped when it records and answers SANDBOX.EXEC_CANCELLED.
 * Delete also removes the sandbox's state and snapshots from what tenants can read (queries already
 * refuse a deleted sandbox; the rows follow here).
 */
@Injectable()
export class SandboxLifecycleListener {
  private readonly logger = new Logger('SandboxRuntime');

  constructor(
    private readonly host: SandboxRuntimeHost,
    private readonly repo: SandboxRuntimeRepository,
    private readonly db: Database,
  ) {}

  /** Called by the transition slice after a start committed: a plan kept at creation may serve execs (ADR 0023). */
  started(namespace: string, sandboxId: string): void {
    this.host.plans.started(namespace, sandboxId);
  }

  async ended(namespace: string, sandboxId: string, how: 'stop' | 'delete'): Promise<void> {
    this.host.pool.cancel(sandboxId);
    // Not needed for correctness (the record checks the state), but the next exec here then answers 409 before it runs.
    this.host.plans.forget(namespace, sandboxId);
    if (how !== 'delete') return;
    await this.db.tenant(namespace, (c) => this.repo.forget(c, sandboxId)).catch((e: unknown) =>
      this.logger.error({ err: e, sandboxId }, 'could not remove the state and snapshots of a deleted sandbox'),
    );
  }
}
