import { createHash } from 'node:crypto';
import { EMPTY_ROOT, hashChildren, hashLeaf, rootFromInclusionProof, verifyConsistency, verifyInclusion } from './merkle';
import { MerkleTree } from './merkle-tree';

/*
 * Known-answer vectors published by transparency-dev/merkle, file proof/verify_test.go
 * (https://github.com/transparency-dev/merkle/blob/02194e9afb6c1d95b5381350007963aa70fff472/proof/verify_test.go):
 * the RFC 6962 reference leaves, the roots of trees of size 1..8, inclusion proofs (their leaf
 * numbers are 1-based) and consistency proofs. Data, not code.
 */
const LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map((h) => Buffer.from(h, 'hex'));
const ROOTS = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
const INCLUSION: { leaf: number; size: number; proof: string[] }[] = [
  { leaf: 1, size: 1, proof: [] },
  { leaf: 1, size: 8, proof: ['96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7', '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4'] },
  { leaf: 6, size: 8, proof: ['bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b', 'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0', 'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7'] },
  { leaf: 3, size: 3, proof: ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125'] },
  { leaf: 2, size: 5, proof: ['6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d', '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', 'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b'] },
];
const CONSISTENCY: { size1: number; size2: number; proof: string[] }[] = [
  { size1: 1, size2: 1, proof: [] },
  { size1: 1, size2: 8, proof: ['96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7', '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4'] },
  { size1: 6, size2: 8, proof: ['0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a', 'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0', 'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7'] },
  { size1: 2, size2: 5, proof: ['5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', 'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b'] },
  { size1: 6, size2: 7, proof: ['0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a', 'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f', 'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7'] },
];
const hex = (hs: Buffer[]) => hs.map((h) => h.toString('hex'));
const unhex = (hs: string[]) => hs.map((h) => Buffer.from(h, 'hex'));

function treeOf(leaves: Buffer[]): MerkleTree {
  const t = new MerkleTree();
  for (const l of leaves) t.append(hashLeaf(l));
  return t;
}

/* An independent, deliberately naive transcription of RFC 6962 section 2.1 over a list of leaf hashes. */
function mth(d: Buffer[]): Buffer {
  if (d.length === 0) return createHash('sha256').digest();
  if (d.length === 1) return d[0];
  let k = 1;
  while (k * 2 < d.length) k *= 2;
  return createHash('sha256').update(Buffer.from([1])).update(mth(d.slice(0, k))).update(mth(d.slice(k))).digest();
}
function path(m: number, d: Buffer[]): Buffer[] {
  if (d.length <= 1) return [];
  let k = 1;
  while (k * 2 < d.length) k *= 2;
  return m < k ? [...path(m, d.slice(0, k)), mth(d.slice(k))] : [...path(m - k, d.slice(k)), mth(d.slice(0, k))];
}
function subproof(m: number, d: Buffer[], b: boolean): Buffer[] {
  const n = d.length;
  if (m === n) return b ? [] : [mth(d)];
  let k = 1;
  while (k * 2 < n) k *= 2;
  return m <= k ? [...subproof(m, d.slice(0, k), b), mth(d.slice(k))] : [...subproof(m - k, d.slice(k), false), mth(d.slice(0, k))];
}

describe('RFC 6962 Merkle tree', () => {
  const tree = treeOf(LEAVES);

  it('computes the published roots for every prefix and the empty tree', () => {
    expect(EMPTY_ROOT.toString('hex')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    for (let n = 1; n <= 8; n++) expect(tree.root(n).toString('hex')).toBe(ROOTS[n - 1]);
  });

  it.each(INCLUSION)('inclusion proof for leaf $leaf in a tree of $size matches the vector and verifies', ({ leaf, size, proof }) => {
    expect(hex(tree.inclusionProof(leaf - 1, size))).toEqual(proof);
    const root = Buffer.from(ROOTS[size - 1], 'hex');
    const leafHash = hashLeaf(LEAVES[leaf - 1]);
    expect(verifyInclusion(leaf - 1, size, leafHash, unhex(proof), root)).toBe(true);
    // Corruptions in the style of the reference tests must all fail.
    expect(verifyInclusion(leaf - 1, size * 2, leafHash, unhex(proof), root)).toBe(false);
    expect(verifyInclusion(leaf - 1, size, hashLeaf('WrongLeaf'), unhex(proof), root)).toBe(false);
    expect(verifyInclusion(leaf - 1, size, leafHash, [...unhex(proof), root], root)).toBe(false);
    if (proof.length > 0) {
      const flipped = unhex(proof);
      flipped[0][0] ^= 8;
      expect(verifyInclusion(leaf - 1, size, leafHash, flipped, root)).toBe(false);
      expect(verifyInclusion(leaf, size, leafHash, unhex(proof), root)).toBe(false);
    }
  });

  it.each(CONSISTENCY)('consistency proof $size1 -> $size2 matches the vector and verifies', ({ size1, size2, proof }) => {
    expect(hex(tree.consistencyProof(size1, size2))).toEqual(proof);
    const r1 = Buffer.from(ROOTS[size1 - 1], 'hex');
    const r2 = Buffer.from(ROOTS[size2 - 1], 'hex');
    expect(verifyConsistency(size1, size2, unhex(proof), r1, r2)).toBe(true);
    if (proof.length > 0) {
      expect(verifyConsistency(size1, size2, unhex(proof), r2, r1)).toBe(false);
      expect(verifyConsistency(size1, size2, unhex(proof).slice(0, -1), r1, r2)).toBe(false);
      const flipped = unhex(proof);
      flipped[flipped.length - 1][0] ^= 16;
      expect(verifyConsistency(size1, size2, flipped, r1, r2)).toBe(false);
    }
  });

  it('agrees with a naive RFC 6962 transcription on every proof of trees up to 40 leaves', () => {
    const leaves = Array.from({ length: 40 }, (_, i) => hashLeaf(`entry ${i}`));
    const t = new MerkleTree();
    for (const l of leaves) t.append(l);
    for (let n = 1; n <= 40; n++) {
      const d = leaves.slice(0, n);
      const root = mth(d);
      expect(t.root(n).equals(root)).toBe(true);
      for (let m = 0; m < n; m++) {
        const p = t.inclusionProof(m, n);
        expect(hex(p)).toEqual(hex(path(m, d)));
        expect(rootFromInclusionProof(m, n, leaves[m], p)?.equals(root)).toBe(true);
      }
      for (let m = 1; m < n; m++) {
        const p = t.consistencyProof(m, n);
        expect(hex(p)).toEqual(hex(subproof(m, d, true)));
        expect(verifyConsistency(m, n, p, mth(leaves.slice(0, m)), root)).toBe(true);
      }
    }
  });

  it('hashes leaves and nodes with the RFC 6962 domain separation bytes', () => {
    const a = Buffer.alloc(32, 1);
    const b = Buffer.alloc(32, 2);
    expect(hashChildren(a, b).equals(createHash('sha256').update(Buffer.concat([Buffer.from([1]), a, b])).digest())).toBe(true);
    expect(hashLeaf('x').equals(createHash('sha256').update(Buffer.from('\u0000x', 'latin1')).digest())).toBe(true);
  });

  it('rejects proofs outside the tree', () => {
    expect(() => tree.inclusionProof(8, 8)).toThrow(RangeError);
    expect(() => tree.consistencyProof(5, 9)).toThrow(RangeError);
    expect(() => tree.root(9)).toThrow(RangeError);
  });
});
