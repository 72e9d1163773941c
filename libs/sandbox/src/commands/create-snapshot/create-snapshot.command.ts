import type { CommandMeta } from '@cave/kernel';

/** Take a snapshot of a persistent sandbox's state at rest. */
export class CreateSnapshotCommand {
  constructor(
    readonly sandboxId: string,
    readonly meta: CommandMeta,
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
