import type { CommandMeta } from '@cave/kernel';

/** A new persistent sandbox whose state starts as the snapshot's. */
export class ForkSandboxCommand {
  constructor(
    readonly sandboxId: string,
    readonly snapshotId: string,
    readonly meta: CommandMeta,
  ) {}
}
