/** The snapshot tree of one sandbox (flat, each with its parent), oldest first. */
export class ListSnapshotsQuery {
  constructor(
    readonly namespace: string,
    readonly sandboxId: string,
  ) {}
}
