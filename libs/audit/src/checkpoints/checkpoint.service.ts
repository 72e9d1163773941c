import { Database } from '@cave/event-store';
import { AuditForkError } from '../domain/audit.errors';
import { formatCheckpoint } from '../domain/checkpoint';
import { NoteSigner } from '../domain/signed-note';
import { AuditTree } from './audit-tree';

export interface SignedCheckpoint {
  treeSize: number;
  rootHash: Buffer;
  note: string;
}

const SIGN_LOCK = `select pg_advisory_xact_lock(hashtextextended('cave.audit.checkpoint', 0))`;

/**
 * Signs C2SP checkpoints of the audit tree and keeps each one in `audit_checkpoints`. Before
 * signing size n it proves the last signed checkpoint (size m <= n) is a prefix of the tree it is
 * about to sign, so no two signed checkpoints can ever be inconsistent (no split view).
 */
export class CheckpointService {
  private key?: NoteSigner;

  /** `signer` may be a loader, so building the app (e.g. for the OpenAPI document) touches no key file. */
  constructor(
    private readonly db: Database,
    private readonly tree: AuditTree,
    private readonly signerSource: NoteSigner | (() => NoteSigner),
  ) {}

  get signer(): NoteSigner {
    this.key ??= typeof this.signerSource === 'function' ? this.signerSource() : this.signerSource;
    return this.key;
  }

  get origin(): string {
    return this.signer.name;
  }

  async latest(): Promise<SignedCheckpoint | undefined> {
    return this.db.asAdmin(async (c) => {
      const { rows } = await c.query<{ tree_size: string; root_hash: Buffer; note: string }>(
        'select tree_size, root_hash, note from audit_checkpoints order by tree_size desc limit 1',
      );
      return rows[0] && { treeSize: Number(rows[0].tree_size), rootHash: rows[0].root_hash, note: rows[0].note };
    });
  }

  /** Signs the current tree size unless it is already signed; returns the newest checkpoint. */
  async signLatest(): Promise<SignedCheckpoint> {
    const size = await this.tree.refresh();
    return this.db.asAdmin(async (c) => {
      await c.query(SIGN_LOCK);
      const { rows } = await c.query<{ tree_size: string; root_hash: Buffer; note: string }>(
        'select tree_size, root_hash, note from audit_checkpoints order by tree_size desc limit 1',
      );
      const last = rows[0] && { treeSize: Number(rows[0].tree_size), rootHash: rows[0].root_hash, note: rows[0].note };
      if (last && last.treeSize > size) {
        // Another instance signed a bigger tree than this one has loaded; that one is the newest.
        return last;
      }
      if (last) {
        // RFC 6962: a tree of size m is a prefix of one of size n iff MTH(D[0:m]) matches; computing it
        // from the same tree is the consistency check (the proof would hash to exactly this root).
        const prefix = this.tree.tree.root(last.treeSize);
        if (!prefix.equals(last.rootHash)) {
          throw new AuditForkError(`the audit log is no longer consistent with the checkpoint of size ${last.treeSize}; refusing to sign`, {
            treeSize: last.treeSize,
          });
        }
        if (last.treeSize === size) return last;
      }
      const rootHash = this.tree.tree.root(size);
      const note = this.signer.sign(formatCheckpoint({ origin: this.origin, treeSize: size, rootHash }));
      await c.query('insert into audit_checkpoints (tree_size, root_hash, note) values ($1, $2, $3)', [size, rootHash, note]);
      return { treeSize: size, rootHash, note };
    });
  }
}
