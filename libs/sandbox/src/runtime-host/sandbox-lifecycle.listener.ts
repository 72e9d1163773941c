import { Logger } from '@nestjs/common';
import { EventsHandler, IEventHandler } from '@nestjs/cqrs';
import { Database } from '@cave/event-store';
import { SandboxChangedNotification } from '../contracts/sandbox-changed.notification';
import { SandboxRuntimeRepository } from './sandbox-runtime.repository';
import { SandboxRuntimeHost } from './sandbox-runtime.host';

/**
 * Stop and delete end the sandbox's running execs at once (their threads are terminated, which frees
 * their memory); delete also removes its state and snapshots from what tenants can read.
 */
@EventsHandler(SandboxChangedNotification)
export class SandboxLifecycleListener implements IEventHandler<SandboxChangedNotification> {
  private readonly logger = new Logger('SandboxRuntime');

  constructor(
    private readonly host: SandboxRuntimeHost,
    private readonly repo: SandboxRuntimeRepository,
    private readonly db: Database,
  ) {}

  handle(n: SandboxChangedNotification): void {
    if (n.event.type !== 'sandbox_stopped' && n.event.type !== 'sandbox_deleted') return;
    this.host.pool.cancel(n.sandboxId);
    if (n.event.type === 'sandbox_deleted') {
      this.db.tenant(n.namespace, (c) => this.repo.forget(c, n.sandboxId)).catch((e: unknown) => this.logger.error({ err: e, sandboxId: n.sandboxId }, 'could not remove the snapshots of a deleted sandbox'));
    }
  }
}
