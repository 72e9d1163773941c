/**
 * k-gram hashing and winnowing (Schleimer, Wilkerson, Aiken: "Winnowing: local algorithms for document
 * fingerprinting", SIGMOD 2003). Of every window of W consecutive k-gram hashes the minimum is kept (the rightmost
 * on ties), each selected position once. Two token streams sharing a run of K + W - 1 tokens share a fingerprint.
 */

export interface Fingerprint {
  hash: number;
  /** Index of the k-gram's first token. */
  token: number;
}

/** Polynomial rolling hash of every k-gram, then a finaliser so minima are spread evenly (mod 2^32 arithmetic). */
export function kgramHashes(codes: ArrayLike<number>, k: number): Uint32Array {
  const count = codes.length - k + 1;
  if (count <= 0) return new Uint32Array(0);
  const out = new Uint32Array(count);
  const base = 0x01000193;
  let top = 1;
  for (let i = 0; i < k - 1; i++) top = Math.imul(top, base);
  let h = 0;
  for (let i = 0; i < k; i++) h = (Math.imul(h, base) + codes[i]) | 0;
  out[0] = mix(h);
  for (let i = k; i < codes.length; i++) {
    h = (Math.imul(h - Math.imul(codes[i - k], top), base) + codes[i]) | 0;
    out[i - k + 1] = mix(h);
  }
  return out;
}

/** murmur3's 32-bit finaliser. */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Marks a k-gram too uniform to fingerprint; never selected unless a whole window is uniform, then dropped. */
const UNIFORM = 0xffffffff;

/**
 * Replaces the hash of every k-gram with fewer than `minDistinct` different tokens by UNIFORM: field lists
 * (`<id>: <id>; <id>: <id>;`) and runs of `case` labels look alike in every project after normalisation.
 */
function maskUniform(codes: ArrayLike<number>, k: number, hashes: Uint32Array, minDistinct: number): void {
  const counts = new Map<number, number>();
  let distinct = 0;
  for (let i = 0; i < codes.length; i++) {
    const added = counts.get(codes[i]) ?? 0;
    if (added === 0) distinct++;
    counts.set(codes[i], added + 1);
    if (i >= k) {
      const left = counts.get(codes[i - k])! - 1;
      if (left === 0) distinct--;
      counts.set(codes[i - k], left);
    }
    if (i >= k - 1 && distinct < minDistinct) hashes[i - k + 1] = UNIFORM;
  }
}

/** The winnowed fingerprints of a token stream. Streams shorter than one k-gram have none. */
export function winnow(codes: ArrayLike<number>, k: number, w: number, minDistinct = 0): Fingerprint[] {
  const hashes = kgramHashes(codes, k);
  if (minDistinct > 0) maskUniform(codes, k, hashes, minDistinct);
  const out: Fingerprint[] = [];
  if (hashes.length === 0) return out;
  // Monotonic deque of candidate positions: hashes strictly increase from front to back... with ties resolved to
  // the rightmost, so an equal hash replaces the one before it.
  const deque = new Int32Array(hashes.length);
  let head = 0;
  let tail = 0;
  let last = -1;
  for (let i = 0; i < hashes.length; i++) {
    while (tail > head && hashes[deque[tail - 1]] >= hashes[i]) tail--;
    deque[tail++] = i;
    if (deque[head] <= i - w) head++;
    // A window is complete from i = w - 1; a stream shorter than one window still yields its minimum once.
    if (i >= w - 1 || i === hashes.length - 1) {
      const min = deque[head];
      if (min !== last && hashes[min] !== UNIFORM) {
        out.push({ hash: hashes[min], token: min });
      }
      last = min;
    }
  }
  return out;
}
