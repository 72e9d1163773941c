import { Transform, TransformCallback } from 'node:stream';
import type { SignedManifest } from '../contracts/model-package';
import { parseSignedManifest } from '../domain/manifest.rules';
import { ArtifactTruncatedError, PackageMalformedError } from '../domain/models.errors';
import { ChunkCheck } from './chunk-verifier';

/** The four bytes every `.bkg` starts with. */
export const BKG_MAGIC = Buffer.from('BKG1', 'ascii');
/** Magic + u32 length. */
export const BKG_PREFIX_BYTES = 8;
/**
 * Largest accepted header. A 1 TiB artifact at the smallest chunk size (64 KiB) lists 16 Mi hashes; nobody packs
 * that, and bounding the header bounds what a hostile upload can make us hold before the signature is checked.
 * 16 MiB fits ~240,000 chunk hashes (15 TiB at 64 MiB chunks, 15 GiB at 64 KiB).
 */
export const MAX_HEADER_BYTES = 16 * 1024 * 1024;

/** The `.bkg` prefix for a header of `headerBytes`. */
export function bkgPrefix(headerBytes: number): Buffer {
  const b = Buffer.alloc(BKG_PREFIX_BYTES);
  BKG_MAGIC.copy(b, 0);
  b.writeUInt32BE(headerBytes, 4);
  return b;
}

/** Serialised header bytes of a signed manifest (compact JSON, UTF-8). */
export function headerBytesOf(signed: SignedManifest): Buffer {
  return Buffer.from(JSON.stringify({ manifest: signed.manifest, signature: signed.signature }), 'utf8');
}

/**
 * Reads the `.bkg` header off a stream and passes only the artifact bytes on. Bounds are checked as soon as the
 * prefix is in (a hostile length never makes it buffer more than `MAX_HEADER_BYTES`); then the header is parsed and
 * handed to `accept` (signature, trusted publisher). No artifact byte leaves this transform before `accept`
 * resolved, and an `accept` that throws fails the stream with its error. With `verifyChunks` the artifact bytes are
 * also checked against the accepted manifest as they pass (see `ChunkCheck`), so the end of this stream means a
 * whole, matching artifact.
 */
export class BkgHeaderReader extends Transform {
  private readonly pending: Buffer[] = [];
  private pendingBytes = 0;
  private headerLength: number | undefined;
  private passing = false;
  private signedManifest: SignedManifest | undefined;
  private check: ChunkCheck | undefined;

  constructor(
    private readonly accept: (signed: SignedManifest) => Promise<void> | void = () => undefined,
    private readonly opts: { verifyChunks?: boolean } = {},
  ) {
    super();
  }

  /** The accepted header (set once artifact bytes flow). */
  get signed(): SignedManifest | undefined {
    return this.signedManifest;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    if (this.passing) return this.pass(chunk, cb);
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    try {
      if (!this.checkPrefix()) return cb();
    } catch (e) {
      return cb(e as Error);
    }
    const total = BKG_PREFIX_BYTES + this.headerLength!;
    if (this.pendingBytes < total) return cb();
    const all = Buffer.concat(this.pending, this.pendingBytes);
    this.pending.length = 0;
    let signed: SignedManifest;
    try {
      signed = parseSignedManifest(parseJson(all.subarray(BKG_PREFIX_BYTES, total)));
    } catch (e) {
      return cb(e as Error);
    }
    Promise.resolve()
      .then(() => this.accept(signed))
      .then(
        () => {
          this.signedManifest = signed;
          this.passing = true;
          if (this.opts.verifyChunks) this.check = new ChunkCheck(signed.manifest);
          if (all.length > total) this.pass(all.subarray(total), cb);
          else cb();
        },
        (e: Error) => cb(e),
      );
  }

  private pass(data: Buffer, cb: TransformCallback): void {
    try {
      this.check?.update(data);
    } catch (e) {
      return cb(e as Error);
    }
    cb(null, data);
  }

  override _flush(cb: TransformCallback): void {
    if (this.passing) {
      try {
        this.check?.finish();
      } catch (e) {
        return cb(e as Error);
      }
      return cb();
    }
    const expected = this.headerLength === undefined ? BKG_PREFIX_BYTES : BKG_PREFIX_BYTES + this.headerLength;
    if (this.pendingBytes >= 4 && this.headerLength === undefined) {
      try {
        this.checkPrefix();
      } catch (e) {
        return cb(e as Error);
      }
    }
    cb(new ArtifactTruncatedError(this.pendingBytes, expected));
  }

  /** True once the prefix is read and within bounds; throws as soon as the bytes seen cannot be a `.bkg`. */
  private checkPrefix(): boolean {
    if (this.headerLength !== undefined) return true;
    const head = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending, this.pendingBytes);
    const magicSeen = Math.min(head.length, BKG_MAGIC.length);
    if (!head.subarray(0, magicSeen).equals(BKG_MAGIC.subarray(0, magicSeen))) throw new PackageMalformedError('not a .bkg package (the magic BKG1 is missing)');
    if (head.length < BKG_PREFIX_BYTES) return false;
    const length = head.readUInt32BE(4);
    if (length < 2 || length > MAX_HEADER_BYTES) {
      throw new PackageMalformedError(`header length ${length} is outside 2..${MAX_HEADER_BYTES}`, { headerLength: length, max: MAX_HEADER_BYTES });
    }
    this.headerLength = length;
    return true;
  }
}

function parseJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new PackageMalformedError('the package header is not UTF-8 JSON');
  }
}
