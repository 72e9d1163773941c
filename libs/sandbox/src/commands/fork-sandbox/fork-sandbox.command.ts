import type { SandboxCommandMeta } from '../command-meta';

/** A new persistent sandbox whose state starts as the snapshot's. */
export class ForkSandboxCommand {
  constructor(
    readonly sandboxId: string,
    readonly snapshotId: string,
    readonly meta: SandboxCommandMeta,
  ) {}
}
