import { GENESIS_HASH } from './audit-entry';
import { Checkpoint } from './checkpoint';
import { HmacState, LineFacts } from './line-facts';
import { EMPTY_ROOT, hashChildren } from './merkle';

export type ProblemReason = 'modified' | 'removed' | 'inserted' | 'reordered' | 'bad_hmac' | 'truncated' | 'forked' | 'bad_checkpoint';

/** The first thing wrong with a log: which entry (seq, 1-based line) and why. */
export interface VerificationProblem {
  reason: ProblemReason;
  seq: number;
  /** 1-based line in the file (or row position in the table) where it shows. */
  line?: number;
  eventId?: string;
  detail: string;
}

export interface ChainVerdict {
  entries: number;
  problem?: VerificationProblem;
  /** Hash of the last entry when the chain is intact. */
  headHash?: string;
}

/**
 * Walks the per-line facts in order and names the first bad entry. The classification follows
 * what an insider can do to a log:
 * - content changed without fixing the hash, or the hash fixed but a successor still records the old one: `modified`
 * - an entry whose HMAC does not verify (forged with the algorithm but without the key): `bad_hmac`
 * - a seq missing and never seen later: `removed`; seen later: `reordered`
 * - a second entry claiming an existing seq (copy or forgery): `inserted`
 */
export function verifyChain(facts: LineFacts, opts: { hmacRequired: boolean }): ChainVerdict {
  const n = facts.length;
  let expected = 0;
  let prev: Buffer = Buffer.from(GENESIS_HASH, 'hex');
  let signedSeen = false;
  let seqLines: Map<number, number> | undefined;
  const laterLineOf = (seq: number, after: number): number | undefined => {
    seqLines ??= indexSeqs(facts);
    const at = seqLines.get(seq);
    return at !== undefined && at > after ? at : undefined;
  };
  const fail = (problem: VerificationProblem): ChainVerdict => ({ entries: n, problem });

  for (let i = 0; i < n; i++) {
    if (!facts.parsed(i)) return fail({ reason: 'modified', seq: expected, line: i + 1, detail: 'line is not a well-formed audit entry' });
    if (!facts.hashOk(i)) return fail({ reason: 'modified', seq: facts.seq[i], line: i + 1, detail: 'entry content does not match its hash' });
    const seq = facts.seq[i];
    if (seq > expected) {
      const later = laterLineOf(expected, i);
      if (later !== undefined) {
        return fail({ reason: 'reordered', seq: expected, line: later + 1, detail: `entry ${expected} appears after entry ${seq} (line ${i + 1})` });
      }
      return fail({ reason: 'removed', seq: expected, line: i + 1, detail: seq - expected === 1 ? `entry ${expected} is missing` : `entries ${expected}..${seq - 1} are missing` });
    }
    if (seq < expected) {
      return fail({ reason: 'inserted', seq, line: i + 1, detail: `a second entry claims seq ${seq}` });
    }
    const rival = i + 1 < n && facts.parsed(i + 1) && facts.seq[i + 1] === seq;
    if (rival) {
      // Two lines claim this seq: the genuine one is what the chain continues from (or, at the end, the signed one).
      let forged = i + 1;
      if (facts.hashAt(i).equals(facts.hashAt(i + 1))) forged = i + 1;
      else if (i + 2 < n && facts.links(i + 1, i + 2)) forged = i;
      else if (!(i + 2 < n && facts.links(i, i + 2)) && facts.hmac(i) === HmacState.Bad) forged = i;
      return fail({ reason: 'inserted', seq, line: forged + 1, detail: `a second entry claims seq ${seq}` });
    }
    if (!facts.prevIs(i, prev)) {
      if (i === 0) return fail({ reason: 'modified', seq, line: 1, detail: 'first entry does not start from the genesis hash' });
      return fail({ reason: 'modified', seq: seq - 1, line: i, detail: `entry ${seq - 1} no longer has the hash its successor recorded` });
    }
    const hmac = facts.hmac(i);
    if (hmac === HmacState.Bad) return fail({ reason: 'bad_hmac', seq, line: i + 1, detail: 'HMAC does not verify under any known key' });
    if (hmac === HmacState.Unsigned && (signedSeen || opts.hmacRequired)) {
      return fail({ reason: 'bad_hmac', seq, line: i + 1, detail: 'entry is unsigned where signed entries are expected' });
    }
    if (hmac === HmacState.Ok) signedSeen = true;
    prev = facts.hashAt(i);
    expected++;
  }
  return { entries: n, headHash: n > 0 ? prev.toString('hex') : GENESIS_HASH };
}

function indexSeqs(facts: LineFacts): Map<number, number> {
  const m = new Map<number, number>();
  for (let i = 0; i < facts.length; i++) if (facts.parsed(i) && !m.has(facts.seq[i])) m.set(facts.seq[i], i);
  return m;
}

/** A run of leaves (or already-hashed perfect subtrees) folded into an RFC 6962 root. */
export class RootBuilder {
  private readonly stack: { hash: Buffer; width: number }[] = [];

  /** Pushes a perfect subtree of `width` leaves (1 for a leaf); widths must never grow after a smaller one. */
  push(hash: Buffer, width = 1): void {
    let node = { hash, width };
    while (this.stack.length > 0 && this.stack[this.stack.length - 1].width === node.width) {
      const left = this.stack.pop()!;
      node = { hash: hashChildren(left.hash, node.hash), width: node.width * 2 };
    }
    this.stack.push(node);
  }

  /** Right-to-left fold of the unequal subtrees: RFC 6962 splits at the largest power of two. */
  root(): Buffer {
    if (this.stack.length === 0) return EMPTY_ROOT;
    let acc = this.stack[this.stack.length - 1].hash;
    for (let i = this.stack.length - 2; i >= 0; i--) acc = hashChildren(this.stack[i].hash, acc);
    return acc;
  }
}

/** MTH of the first `size` leaves (O(n) hashes, O(log n) memory). */
export function rootOfLeaves(facts: LineFacts, size: number): Buffer {
  const b = new RootBuilder();
  for (let i = 0; i < size; i++) b.push(facts.leafAt(i));
  return b.root();
}

/** Root of a perfect subtree given its leaf hashes back to back (count must be a power of two). */
export function rootOfLeafBuffer(leaves: Buffer): Buffer {
  const b = new RootBuilder();
  for (let at = 0; at < leaves.length; at += 32) b.push(leaves.subarray(at, at + 32));
  return b.root();
}

/**
 * Checks a (signature-verified) checkpoint against a verified chain. `root` computes the MTH of a
 * prefix; the offline verifier passes a parallel one.
 */
export async function checkAgainstCheckpoint(
  facts: LineFacts,
  cp: Checkpoint,
  root: (size: number) => Buffer | Promise<Buffer> = (size) => rootOfLeaves(facts, size),
): Promise<VerificationProblem | undefined> {
  if (cp.treeSize > facts.length) {
    return { reason: 'truncated', seq: facts.length, line: facts.length + 1, detail: `checkpoint commits to ${cp.treeSize} entries; the log has ${facts.length}` };
  }
  if (!(await root(cp.treeSize)).equals(cp.rootHash)) {
    return { reason: 'forked', seq: Math.max(cp.treeSize - 1, 0), detail: `the first ${cp.treeSize} entries do not have the checkpoint's root hash` };
  }
  return undefined;
}
