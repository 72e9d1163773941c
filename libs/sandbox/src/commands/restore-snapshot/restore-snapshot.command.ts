import type { CommandMeta } from '@cave/kernel';

/** Backtrack a persistent sandbox to one of its snapshots. */
export class RestoreSnapshotCommand {
  constructor(
    readonly sandboxId: string,
    /** As the client sent it; checked after the sandbox is found, so another tenant's id answers 404 either way. */
    readonly snapshotId: unknown,
    readonly meta: CommandMeta,
  ) {}
}
