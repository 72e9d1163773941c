import { createHash, hash as oneShot } from 'node:crypto';

/**
 * RFC 6962 / RFC 9162 Merkle tree hashing: leaf = SHA-256(0x00 || data), node = SHA-256(0x01 || l || r).
 * Sizes and indexes are JS numbers (exact up to 2^53); halving uses division, not `>>`, which
 * would wrap at 2^31.
 */
const LEAF = Buffer.from([0]);
const NODE = Buffer.from([1]);
export const EMPTY_ROOT = createHash('sha256').digest();

let leafScratch = Buffer.alloc(4096);

export function hashLeaf(data: Buffer | string): Buffer {
  if (typeof data !== 'string') return createHash('sha256').update(LEAF).update(data).digest();
  // Hot path of verification: one-shot hash over a reused buffer (0x00 || UTF-8 of the line).
  if (leafScratch.length < 1 + data.length * 3) leafScratch = Buffer.alloc(1 + data.length * 3);
  const n = leafScratch.write(data, 1, 'utf8');
  leafScratch[0] = 0;
  return oneShot('sha256', leafScratch.subarray(0, n + 1), 'buffer');
}

const nodeScratch = Buffer.alloc(65, 1);

export function hashChildren(left: Buffer, right: Buffer): Buffer {
  // One-shot hash over a reused 0x01 || left || right buffer: the Merkle root of a large log is a million of these.
  if (left.length !== 32 || right.length !== 32) return createHash('sha256').update(NODE).update(left).update(right).digest();
  left.copy(nodeScratch, 1);
  right.copy(nodeScratch, 33);
  return oneShot('sha256', nodeScratch, 'buffer');
}

/** Largest power of two strictly smaller than n (n >= 2). */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

const half = (x: number): number => Math.floor(x / 2);
const odd = (x: number): boolean => x % 2 === 1;

/**
 * Root a verifier computes from an inclusion proof (RFC 9162 section 2.1.3.2); undefined when the
 * proof has the wrong shape for (index, size).
 */
export function rootFromInclusionProof(index: number, size: number, leafHash: Buffer, proof: Buffer[]): Buffer | undefined {
  if (index < 0 || index >= size || leafHash.length !== 32) return undefined;
  let fn = index;
  let sn = size - 1;
  let r = leafHash;
  for (const p of proof) {
    if (sn === 0 || p.length !== 32) return undefined;
    if (odd(fn) || fn === sn) {
      r = hashChildren(p, r);
      if (!odd(fn)) while (!odd(fn) && fn !== 0) { fn = half(fn); sn = half(sn); }
    } else {
      r = hashChildren(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 ? r : undefined;
}

export function verifyInclusion(index: number, size: number, leafHash: Buffer, proof: Buffer[], root: Buffer): boolean {
  const got = rootFromInclusionProof(index, size, leafHash, proof);
  return got !== undefined && got.equals(root);
}

/** Consistency proof verification (RFC 9162 section 2.1.4.2). */
export function verifyConsistency(size1: number, size2: number, proof: Buffer[], root1: Buffer, root2: Buffer): boolean {
  if (size1 < 0 || size2 < size1) return false;
  if (size1 === size2) return proof.length === 0 && root1.equals(root2);
  if (size1 === 0) return proof.length === 0;
  if (proof.length === 0 || proof.some((p) => p.length !== 32)) return false;
  // A power-of-two first tree is itself a node of the second, so its root starts the path.
  const path = isPowerOfTwo(size1) ? [root1, ...proof] : proof;
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (odd(fn)) { fn = half(fn); sn = half(sn); }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      fr = hashChildren(c, fr);
      sr = hashChildren(c, sr);
      if (!odd(fn)) while (!odd(fn) && fn !== 0) { fn = half(fn); sn = half(sn); }
    } else {
      sr = hashChildren(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && fr.equals(root1) && sr.equals(root2);
}

function isPowerOfTwo(n: number): boolean {
  let k = 1;
  while (k < n) k *= 2;
  return k === n;
}
