import { canonicalEntry, GENESIS_HASH, sealEntry } from '../../../../libs/audit/src/domain/audit-entry';
import { formatCheckpoint } from '../../../../libs/audit/src/domain/checkpoint';
import { hashLeaf } from '../../../../libs/audit/src/domain/merkle';
import { MerkleTree } from '../../../../libs/audit/src/domain/merkle-tree';
import { NoteSigner } from '../../../../libs/audit/src/domain/signed-note';
import type { AuditEntry } from './audit-entry';
import { entryLine } from './audit-entry';
import { verifyMemberProof, MemberProof } from './verify-proof';

/**
 * The console's WebCrypto verifier (written separately from libs/audit) against proofs and signed
 * checkpoints made by the server's own code, for every leaf of trees of awkward sizes.
 */
function log(n: number): { entries: AuditEntry[]; tree: MerkleTree } {
  const tree = new MerkleTree();
  const entries: AuditEntry[] = [];
  let prevHash = GENESIS_HASH;
  for (let seq = 0; seq < n; seq++) {
    const entry = sealEntry({
      seq,
      globalPosition: seq + 1,
      eventId: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
      eventType: 'sandbox_created',
      namespace: seq % 2 ? 'team-a' : 'team-b',
      actor: seq % 3 ? 'key_1' : null,
      recordedAt: new Date(1_700_000_000_000 + seq).toISOString(),
      dataSha256: 'ab'.repeat(32),
      prevHash,
    }) as AuditEntry;
    prevHash = entry.hash;
    entries.push(entry);
    tree.append(hashLeaf(canonicalEntry(entry as unknown as Record<string, unknown>)));
  }
  return { entries, tree };
}

const signer = NoteSigner.generate('cave-audit-test').signer;

function proofOf(entries: AuditEntry[], tree: MerkleTree, seq: number, size = tree.size): MemberProof {
  const note = signer.sign(formatCheckpoint({ origin: 'cave-audit-test', treeSize: size, rootHash: tree.root(size) }));
  return { leafIndex: seq, treeSize: size, hashes: tree.inclusionProof(seq, size).map((h) => h.toString('base64')), entry: entries[seq], checkpoint: note };
}

describe('browser inclusion-proof verification', () => {
  it('writes the same line the server hashes', () => {
    const { entries } = log(3);
    for (const e of entries) expect(entryLine(e)).toBe(canonicalEntry(e as unknown as Record<string, unknown>));
  });

  it.each([1, 2, 3, 5, 8, 13])('accepts every leaf of a tree of %i with a valid signature', async (n) => {
    const { entries, tree } = log(n);
    for (let seq = 0; seq < n; seq++) {
      const v = await verifyMemberProof(proofOf(entries, tree, seq), entries[seq].eventId, signer.verifierKey);
      expect({ seq, ok: v.ok, failed: v.checks.filter((c) => c.ok === false).map((c) => c.name) }).toEqual({ seq, ok: true, failed: [] });
    }
  });

  it('accepts a proof against an older tree size', async () => {
    const { entries, tree } = log(11);
    expect((await verifyMemberProof(proofOf(entries, tree, 4, 7), entries[4].eventId, signer.verifierKey)).ok).toBe(true);
  });

  it('rejects a tampered entry, sibling hash, size, root, signature or key', async () => {
    const { entries, tree } = log(7);
    const good = proofOf(entries, tree, 3);
    const failed = async (p: MemberProof, key = signer.verifierKey) => (await verifyMemberProof(p, entries[3].eventId, key)).checks.filter((c) => c.ok === false).map((c) => c.name);

    expect(await failed({ ...good, entry: { ...good.entry, namespace: 'team-x' } })).toEqual(['entry hash', 'inclusion proof']);
    const flipped = Buffer.from(good.hashes[1], 'base64');
    flipped[0] ^= 1;
    expect(await failed({ ...good, hashes: [good.hashes[0], flipped.toString('base64'), ...good.hashes.slice(2)] })).toEqual(['inclusion proof']);
    expect(await failed({ ...good, hashes: good.hashes.slice(1) })).toEqual(['inclusion proof']);
    expect(await failed({ ...good, leafIndex: 2 })).toEqual(['proof size matches checkpoint', 'inclusion proof']);
    const otherRoot = proofOf(entries, tree, 3, 6).checkpoint;
    expect(await failed({ ...good, checkpoint: otherRoot })).toEqual(['proof size matches checkpoint', 'inclusion proof']);
    const forged = good.checkpoint.replace(/\n(\d+)\n/, (_, n) => `\n${Number(n)}\n`).replace(/ (\S{4})(\S+)\n$/, (_, a: string, b: string) => ` ${a}${b.startsWith('A') ? 'B' : 'A'}${b.slice(1)}\n`);
    expect(await failed({ ...good, checkpoint: forged })).toEqual(['checkpoint signature']);
    expect(await failed(good, NoteSigner.generate('cave-audit-test').signer.verifierKey)).toEqual(['checkpoint signature']);
    expect((await verifyMemberProof(good, entries[4].eventId, signer.verifierKey)).ok).toBe(false);
  });

  it('says the signature was not checked when no verifier key is known (members)', async () => {
    const { entries, tree } = log(4);
    const v = await verifyMemberProof(proofOf(entries, tree, 1), entries[1].eventId);
    expect(v.ok).toBe(true);
    expect(v.checks.find((c) => c.name === 'checkpoint signature')?.ok).toBeNull();
  });
});
