import type { CommandMeta } from '@cave/kernel';

/** A new persistent sandbox whose state starts as the snapshot's. */
export class ForkSandboxCommand {
  constructor(
    readonly sandboxId: string,
    /** As the client sent it; checked after the sandbox is found. */
    readonly snapshotId: unknown,
    readonly meta: CommandMeta,
  ) {}
}
