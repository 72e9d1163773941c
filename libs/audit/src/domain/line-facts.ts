import { canonicalEntry, sha256Hex } from './audit-entry';
import { HmacKeyRing } from './hmac-key-ring';
import { hashLeaf } from './merkle';

/** HMAC state of one entry as the verifier saw it. */
export const HmacState = { Unchecked: 0, Ok: 1, Bad: 2, Unsigned: 3 } as const;
export type HmacState = (typeof HmacState)[keyof typeof HmacState];

/** `,"hash":"<hex>","hmac":"<base64 of 32 bytes>","keyId":"<8 hex>"` exactly as the writer serialises it. */
const SIGNED_SEGMENT = /,"hash":"([0-9a-f]{64})","hmac":"([A-Za-z0-9+/]{43}=)","keyId":"([0-9a-f]{8})",/y;
const PARSE_OK = 1;
const HASH_OK = 2;
const HEX64 = /^[0-9a-f]{64}$/;

/**
 * What the verifier learned from each line, struct-of-arrays so that worker threads can fill
 * chunks and hand them back as transferable buffers without a million small objects.
 */
export class LineFacts {
  readonly seq: Float64Array;
  readonly flags: Uint8Array;
  /** 32 bytes per line each. */
  readonly prev: Buffer;
  readonly hash: Buffer;
  readonly leaf: Buffer;

  constructor(readonly length: number, parts?: { seq: Float64Array; flags: Uint8Array; prev: Buffer; hash: Buffer; leaf: Buffer }) {
    this.seq = parts?.seq ?? new Float64Array(length);
    this.flags = parts?.flags ?? new Uint8Array(length);
    this.prev = parts?.prev ?? Buffer.alloc(32 * length);
    this.hash = parts?.hash ?? Buffer.alloc(32 * length);
    this.leaf = parts?.leaf ?? Buffer.alloc(32 * length);
  }

  static concat(chunks: LineFacts[]): LineFacts {
    if (chunks.length === 1) return chunks[0];
    const n = chunks.reduce((a, c) => a + c.length, 0);
    const out = new LineFacts(n);
    let at = 0;
    for (const c of chunks) {
      out.seq.set(c.seq, at);
      out.flags.set(c.flags, at);
      c.prev.copy(out.prev, at * 32);
      c.hash.copy(out.hash, at * 32);
      c.leaf.copy(out.leaf, at * 32);
      at += c.length;
    }
    return out;
  }

  parsed(i: number): boolean {
    return (this.flags[i] & PARSE_OK) !== 0;
  }

  hashOk(i: number): boolean {
    return (this.flags[i] & HASH_OK) !== 0;
  }

  hmac(i: number): HmacState {
    return (this.flags[i] >> 2) as HmacState;
  }

  leafAt(i: number): Buffer {
    return this.leaf.subarray(i * 32, i * 32 + 32);
  }

  /** hash of line i equals prevHash of line j */
  links(i: number, j: number): boolean {
    return this.hash.compare(this.prev, j * 32, j * 32 + 32, i * 32, i * 32 + 32) === 0;
  }

  prevIs(j: number, hash: Buffer): boolean {
    return hash.compare(this.prev, j * 32, j * 32 + 32) === 0;
  }

  hashAt(i: number): Buffer {
    return this.hash.subarray(i * 32, i * 32 + 32);
  }

  /** Records one line (without its newline). */
  record(i: number, line: string, ring: HmacKeyRing | undefined): void {
    hashLeaf(line).copy(this.leaf, i * 32);
    if (ring?.canVerify && this.recordSigned(i, line, ring)) return;
    let e: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(line);
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
      e = parsed as Record<string, unknown>;
    } catch {
      this.seq[i] = -1;
      return;
    }
    const { seq, prevHash, hash, keyId, hmac } = e;
    if (!Number.isSafeInteger(seq) || typeof prevHash !== 'string' || !HEX64.test(prevHash) || typeof hash !== 'string' || !HEX64.test(hash)) {
      this.seq[i] = -1;
      return;
    }
    this.seq[i] = seq as number;
    this.prev.write(prevHash, i * 32, 'hex');
    this.hash.write(hash, i * 32, 'hex');
    let flags = PARSE_OK;
    // The stored bytes must be the canonical form (the Merkle leaf covers them) and match the hash.
    // For a canonical line the hashed body is the line minus its "hash" and "hmac" members, which
    // sit together between "globalPosition" and "keyId": cut them out instead of serialising twice.
    if (canonicalEntry(e) === line) {
      const cut = line.indexOf(',"hash":"');
      const resume = line.indexOf(',"keyId":', cut);
      if (cut > 0 && resume > cut && sha256Hex(line.slice(0, cut) + line.slice(resume)) === hash) flags |= HASH_OK;
    }
    let state: HmacState = HmacState.Unchecked;
    if (keyId === null && hmac === null) state = HmacState.Unsigned;
    else if (ring?.canVerify) {
      state = typeof keyId === 'string' && typeof hmac === 'string' && ring.matches(keyId, hash, hmac) ? HmacState.Ok : HmacState.Bad;
    }
    this.flags[i] = flags | (state << 2);
  }

  /**
   * Fast path for a signed entry. If the HMAC over `hash` verifies and `hash` is the SHA-256 of the
   * line minus its exactly-serialised hash/hmac members, the remaining bytes are the writer's own
   * canonical body, so seq and prevHash can be read by position instead of parsing and
   * re-serialising the line. Anything else falls back to the full path, which classifies it.
   */
  private recordSigned(i: number, line: string, ring: HmacKeyRing): boolean {
    const cut = line.indexOf(',"hash":"');
    if (cut < 0) return false;
    SIGNED_SEGMENT.lastIndex = cut;
    const m = SIGNED_SEGMENT.exec(line);
    if (!m) return false;
    const [, hash, hmac, keyId] = m;
    const resume = cut + m[0].length - ',"keyId":"'.length - keyId.length - 2;
    if (!ring.matches(keyId, hash, hmac) || sha256Hex(line.slice(0, cut) + line.slice(resume)) !== hash) return false;
    const p = line.indexOf(',"prevHash":"', resume);
    const q = line.lastIndexOf(',"seq":');
    if (p < 0 || q < p || !line.endsWith('}')) return false;
    const prevHash = line.slice(p + 13, p + 77);
    const seq = Number(line.slice(q + 7, -1));
    if (!HEX64.test(prevHash) || !Number.isSafeInteger(seq)) return false;
    this.seq[i] = seq;
    this.prev.write(prevHash, i * 32, 'hex');
    this.hash.write(hash, i * 32, 'hex');
    this.flags[i] = PARSE_OK | HASH_OK | (HmacState.Ok << 2);
    return true;
  }
}
