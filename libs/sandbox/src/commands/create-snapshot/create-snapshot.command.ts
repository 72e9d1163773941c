import type { RuntimeEventMeta } from '../../runtime-host/runtime-events.appender';

/** Take a snapshot of a persistent sandbox's state at rest. */
export class CreateSnapshotCommand {
  constructor(
    readonly sandboxId: string,
    readonly meta: RuntimeEventMeta,
  ) {}
}

export interface SnapshotView {
  snapshotId: string;
  sandboxId: string;
  parentId: string | null;
  sha256: string;
  sizeBytes: number;
  variant: string;
  variantVersion: string;
  createdAt: Date;
}
