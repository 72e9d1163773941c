import { createHash, createHmac, hash as oneShot, timingSafeEqual } from 'node:crypto';
import { EntrySigner } from './audit-entry';

/** Public name of an HMAC key: first 8 hex of its SHA-256. Identifies, never reveals. */
export function hmacKeyId(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex').slice(0, 8);
}

export function hmacOf(key: string, hash: string): string {
  return createHmac('sha256', key).update(hash, 'utf8').digest('base64');
}

/**
 * RFC 2104 HMAC-SHA256 of a 64-character hex message (an entry hash) with the key pads
 * precomputed and two one-shot hashes over reused buffers: about twice as fast as `createHmac`, which
 * re-derives the pads for every message. `hmac-key-ring.spec.ts` checks it equals `createHmac`.
 */
const HEX64 = /^[0-9a-f]{64}$/;

class HexHashMac {
  private readonly inner = Buffer.alloc(128);
  private readonly outer = Buffer.alloc(96);

  constructor(key: string) {
    let k = Buffer.from(key, 'utf8');
    if (k.length > 64) k = createHash('sha256').update(k).digest();
    const block = Buffer.alloc(64);
    k.copy(block);
    for (let i = 0; i < 64; i++) {
      this.inner[i] = block[i] ^ 0x36;
      this.outer[i] = block[i] ^ 0x5c;
    }
  }

  /** base64 HMAC of `hash`, or undefined when it is not 64 lowercase hex characters. */
  mac(hash: string): string | undefined {
    if (!HEX64.test(hash)) return undefined;
    this.inner.write(hash, 64, 'latin1');
    oneShot('sha256', this.inner, 'buffer').copy(this.outer, 64);
    return oneShot('sha256', this.outer, 'base64');
  }
}

/**
 * The current HMAC key (signs new entries) and previous ones (still verify old entries after a
 * rotation). Keys are held in a closure and never appear in `toJSON`/inspection output.
 */
export class HmacKeyRing {
  private readonly keys: Map<string, string>;
  private readonly fast = new Map<string, HexHashMac>();
  readonly currentKeyId: string | undefined;

  constructor(current: string | undefined, previous: string[] = []) {
    const keys = new Map<string, string>();
    for (const k of [...previous, ...(current ? [current] : [])]) keys.set(hmacKeyId(k), k);
    this.keys = keys;
    this.currentKeyId = current ? hmacKeyId(current) : undefined;
  }

  /** True when at least one key is known, so HMACs can be checked. */
  get canVerify(): boolean {
    return this.keys.size > 0;
  }

  knows(keyId: string): boolean {
    return this.keys.has(keyId);
  }

  signer(): EntrySigner | undefined {
    const id = this.currentKeyId;
    if (id === undefined) return undefined;
    const key = this.keys.get(id)!;
    return { keyId: id, mac: (hash) => hmacOf(key, hash) };
  }

  /** Whether `hmac` is the HMAC of `hash` under the key named `keyId` (constant-time compare). */
  verify(keyId: string, hash: string, hmac: string): boolean {
    const key = this.keys.get(keyId);
    if (key === undefined) return false;
    const want = Buffer.from(hmacOf(key, hash), 'base64');
    const got = Buffer.from(hmac, 'base64');
    return got.length === want.length && timingSafeEqual(got, want);
  }

  /**
   * Same as `verify` with a plain comparison, for bulk verification of stored entries: there is no
   * secret-dependent oracle to protect there (the caller already holds the key), only throughput.
   */
  matches(keyId: string, hash: string, hmac: string): boolean {
    const key = this.keys.get(keyId);
    if (key === undefined) return false;
    let fast = this.fast.get(keyId);
    if (!fast) this.fast.set(keyId, (fast = new HexHashMac(key)));
    return (fast.mac(hash) ?? hmacOf(key, hash)) === hmac;
  }

  /** Raw keys for verifier workers (same process); never log the result. */
  exportKeys(): string[] {
    return [...this.keys.values()];
  }

  toJSON(): unknown {
    return { currentKeyId: this.currentKeyId, keyIds: [...this.keys.keys()] };
  }
}
