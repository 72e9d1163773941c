import { Database } from '@cave/event-store';
import { MerkleTree } from '../domain/merkle-tree';

/**
 * In-memory Merkle tree over the audit log's leaf hashes, loaded incrementally from the table.
 * Entries never change, so rows already loaded are never read again.
 */
export class AuditTree {
  readonly tree = new MerkleTree();
  private loading?: Promise<number>;

  constructor(private readonly db: Database) {}

  /** Loads entries written since the last refresh; returns the tree size. */
  refresh(): Promise<number> {
    this.loading ??= this.load().finally(() => (this.loading = undefined));
    return this.loading;
  }

  private async load(): Promise<number> {
    for (;;) {
      const from = this.tree.size;
      const rows = await this.db.asAdmin(
        async (c) => (await c.query<{ leaf_hash: Buffer }>('select leaf_hash from audit_log where seq >= $1 order by seq limit 50000', [from])).rows,
      );
      for (const r of rows) this.tree.append(r.leaf_hash);
      if (rows.length < 50000) return this.tree.size;
    }
  }
}
