import type { RuntimeEventMeta } from '../../runtime-host/runtime-events.appender';

/** Backtrack a persistent sandbox to one of its snapshots. */
export class RestoreSnapshotCommand {
  constructor(
    readonly sandboxId: string,
    readonly snapshotId: string,
    readonly meta: RuntimeEventMeta,
  ) {}
}
