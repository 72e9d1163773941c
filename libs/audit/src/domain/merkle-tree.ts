import { EMPTY_ROOT, hashChildren, splitPoint } from './merkle';

/** Growable array of 32-byte hashes in one buffer (a million leaves = 32 MB, not a million objects). */
class HashArray {
  private buf = Buffer.alloc(32 * 1024);
  length = 0;

  push(h: Buffer): void {
    if ((this.length + 1) * 32 > this.buf.length) {
      const bigger = Buffer.alloc(this.buf.length * 2);
      this.buf.copy(bigger);
      this.buf = bigger;
    }
    h.copy(this.buf, this.length * 32);
    this.length++;
  }

  get(i: number): Buffer {
    return this.buf.subarray(i * 32, i * 32 + 32);
  }
}

/**
 * Append-only RFC 6962 tree that keeps every complete (power-of-two, aligned) subtree hash, so the
 * root of any prefix and any inclusion or consistency proof costs O(log n) lookups and at most
 * O(log n) hash operations instead of rehashing the log.
 */
export class MerkleTree {
  private readonly levels: HashArray[] = [new HashArray()];

  get size(): number {
    return this.levels[0].length;
  }

  append(leafHash: Buffer): void {
    let level = 0;
    this.levels[0].push(leafHash);
    let index = this.levels[0].length - 1;
    while (index % 2 === 1) {
      const row = this.levels[level];
      const parent = hashChildren(row.get(index - 1), row.get(index));
      level++;
      if (this.levels.length === level) this.levels.push(new HashArray());
      this.levels[level].push(parent);
      index = (index - 1) / 2;
    }
  }

  leaf(index: number): Buffer {
    return Buffer.from(this.levels[0].get(index));
  }

  /** MTH of the first `size` leaves. */
  root(size = this.size): Buffer {
    this.check(size <= this.size, `tree size ${size} exceeds ${this.size}`);
    return size === 0 ? EMPTY_ROOT : this.subtree(0, size);
  }

  /** RFC 6962 PATH(index, D[size]), leaf to root. */
  inclusionProof(index: number, size: number): Buffer[] {
    this.check(size <= this.size && index >= 0 && index < size, `no leaf ${index} in a tree of size ${size}`);
    const out: Buffer[] = [];
    this.path(index, 0, size, out);
    return out;
  }

  /** RFC 6962 PROOF(size1, D[size2]). */
  consistencyProof(size1: number, size2: number): Buffer[] {
    this.check(size1 >= 0 && size1 <= size2 && size2 <= this.size, `no consistency proof from ${size1} to ${size2}`);
    const out: Buffer[] = [];
    if (size1 > 0 && size1 < size2) this.subproof(size1, 0, size2, true, out);
    return out;
  }

  private path(m: number, start: number, n: number, out: Buffer[]): void {
    if (n <= 1) return;
    const k = splitPoint(n);
    if (m < k) {
      this.path(m, start, k, out);
      out.push(this.subtree(start + k, n - k));
    } else {
      this.path(m - k, start + k, n - k, out);
      out.push(this.subtree(start, k));
    }
  }

  private subproof(m: number, start: number, n: number, complete: boolean, out: Buffer[]): void {
    if (m === n) {
      if (!complete) out.push(this.subtree(start, m));
      return;
    }
    const k = splitPoint(n);
    if (m <= k) {
      this.subproof(m, start, k, complete, out);
      out.push(this.subtree(start + k, n - k));
    } else {
      this.subproof(m - k, start + k, n - k, false, out);
      out.push(this.subtree(start, k));
    }
  }

  /** Hash of leaves [start, start + size); complete aligned subtrees come from the stored levels. */
  private subtree(start: number, size: number): Buffer {
    let level = 0;
    while (2 ** level < size) level++;
    if (2 ** level === size && start % size === 0) return Buffer.from(this.levels[level].get(start / size));
    const k = splitPoint(size);
    return hashChildren(this.subtree(start, k), this.subtree(start + k, size - k));
  }

  private check(ok: boolean, message: string): void {
    if (!ok) throw new RangeError(message);
  }
}
