import { Database } from '@cave/event-store';
import type { PoolClient } from 'pg';
import { AuditEntryNotFoundError, AuditProofRangeError } from './domain/audit.errors';
import { AuditEntry } from './domain/audit-entry';
import { HmacKeyRing } from './domain/hmac-key-ring';
import { AuditTree } from './checkpoints/audit-tree';
import { CheckpointService, SignedCheckpoint } from './checkpoints/checkpoint.service';
import { OnlineVerificationReport, verifyOnline } from './verification/online-verifier';

export interface InclusionProof {
  leafIndex: number;
  treeSize: number;
  hashes: string[];
}

export interface ConsistencyProof {
  from: number;
  to: number;
  hashes: string[];
}

export interface MemberProof extends InclusionProof {
  entry: AuditEntry;
  /** The signed checkpoint the proof leads to (its root is the one to check against). */
  checkpoint: string;
}

/** At most one checkpoint signed per this interval on behalf of member proofs. */
const MEMBER_SIGN_INTERVAL_MS = 1_000;
const b64 = (hs: Buffer[]) => hs.map((h) => h.toString('base64'));
// The shape the uuid column accepts: anything else names no entry (and would fail the cast: a 500).
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Read side of the audit log: entries, proofs, checkpoints, verification. */
export class AuditService {
  constructor(
    private readonly db: Database,
    private readonly tree: AuditTree,
    readonly checkpoints: CheckpointService,
    private readonly ring: HmacKeyRing,
    private readonly logPath: string,
  ) {}

  async entries(after: number | undefined, limit: number): Promise<{ entries: AuditEntry[]; next?: number }> {
    const rows = await this.db.asAdmin(
      async (c) => (await c.query<{ seq: string; entry: string }>('select seq, entry from audit_log where seq > $1 order by seq limit $2', [after ?? -1, limit])).rows,
    );
    const entries = rows.map((r) => JSON.parse(r.entry) as AuditEntry);
    return { entries, ...(rows.length === limit && { next: Number(rows[rows.length - 1].seq) }) };
  }

  /** Signs the current tree if it grew, and returns the newest signed checkpoint. */
  checkpoint(): Promise<SignedCheckpoint> {
    return this.checkpoints.signLatest();
  }

  async inclusionProof(seq: number, treeSize?: number): Promise<InclusionProof> {
    const size = await this.tree.refresh();
    const n = treeSize ?? size;
    if (n > size) throw new AuditProofRangeError(`tree size ${n} exceeds the log (${size} entries)`, { treeSize: size });
    if (seq >= n) throw new AuditProofRangeError(`entry ${seq} is not in a tree of size ${n}`);
    return { leafIndex: seq, treeSize: n, hashes: b64(this.tree.tree.inclusionProof(seq, n)) };
  }

  async consistencyProof(from: number, to?: number): Promise<ConsistencyProof> {
    const size = await this.tree.refresh();
    const n = to ?? size;
    if (n > size) throw new AuditProofRangeError(`tree size ${n} exceeds the log (${size} entries)`, { treeSize: size });
    if (from > n) throw new AuditProofRangeError(`from (${from}) must not exceed to (${n})`);
    return { from, to: n, hashes: b64(this.tree.tree.consistencyProof(from, n)) };
  }

  /** A member's proof for one of its own namespace's entries: RLS hides every other namespace. */
  /** `namespace` undefined: any namespace's event (admins), read as the admin role. */
  async memberProof(namespace: string | undefined, eventId: string): Promise<MemberProof> {
    const find = async (c: Pick<PoolClient, 'query'>) => (await c.query<{ seq: string; entry: string }>('select seq, entry from audit_log where event_id = $1', [eventId])).rows[0];
    const row = UUID.test(eventId) ? await (namespace === undefined ? this.db.asAdmin(find) : this.db.tenant(namespace, find)) : undefined;
    if (!row) throw new AuditEntryNotFoundError(`no audit entry for event ${eventId.slice(0, 40)}`);
    const cp = await this.checkpointCovering(Number(row.seq));
    const proof = await this.inclusionProof(Number(row.seq), cp.treeSize);
    return { ...proof, entry: JSON.parse(row.entry) as AuditEntry, checkpoint: cp.note };
  }

  private lastSigning?: { at: number; done: Promise<SignedCheckpoint> };

  /**
   * The newest signed checkpoint that contains entry `seq`. The writer signs about once a second while the log
   * grows, so that is almost always the stored one. For an entry newer than it, members share one signing per
   * second: a member calling in a loop cannot make the log sign (and store) a checkpoint per call, nor read
   * the live tree size of every tenant's activity from it.
   */
  private async checkpointCovering(seq: number): Promise<SignedCheckpoint> {
    for (let attempt = 0; ; attempt++) {
      const latest = await this.checkpoints.latest();
      if (latest && latest.treeSize > seq) return latest;
      const now = Date.now();
      const wait = this.lastSigning ? this.lastSigning.at + MEMBER_SIGN_INTERVAL_MS - now : 0;
      if (wait > 0 && attempt === 0) {
        const cp = await this.lastSigning!.done.catch(() => undefined);
        if (cp && cp.treeSize > seq) return cp;
      }
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      this.lastSigning = { at: Date.now(), done: this.checkpoints.signLatest() };
      const cp = await this.lastSigning.done;
      if (cp.treeSize > seq || attempt >= 2) return cp;
    }
  }

  verify(): Promise<OnlineVerificationReport> {
    return verifyOnline(this.db, this.ring, this.checkpoints.signer, this.logPath);
  }

  /** Events not yet audited (the writer's lag). */
  async lag(): Promise<number> {
    return this.db.asAdmin(async (c) => {
      const tip = (await c.query<{ cursor: string }>('select event_cursor as cursor from audit_log order by seq desc limit 1')).rows[0]?.cursor ?? '0:0';
      const [xid, pos] = tip.split(':');
      const { rows } = await c.query<{ n: string }>(
        'select count(*) as n from events where (transaction_id, global_position) > ($1::text::xid8, $2::bigint)',
        [xid, pos],
      );
      return Number(rows[0].n);
    });
  }
}
