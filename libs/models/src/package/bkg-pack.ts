import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { KeyObject } from 'node:crypto';
import type { ModelManifest, SignedManifest } from '../contracts/model-package';
import { DEFAULT_CHUNK_SIZE, parseManifest } from '../domain/manifest.rules';
import { publisherIdOf, signManifest } from '../domain/publisher-key';
import { bkgPrefix, headerBytesOf, MAX_HEADER_BYTES } from './bkg-reader';
import { ChunkVerifier } from './chunk-verifier';
import { PackageMalformedError } from '../domain/models.errors';

export interface PackOptions {
  name: string;
  version: string;
  license: string;
  chunkSize?: number;
  privateKey: KeyObject;
}

/** Hashes of a byte stream in `chunkSize` slices and whole, without holding more than one slice's state. */
export async function hashArtifact(source: Readable, chunkSize: number): Promise<{ sha256: string; sizeBytes: number; chunks: string[] }> {
  const whole = createHash('sha256');
  const chunks: string[] = [];
  let current = createHash('sha256');
  let fill = 0;
  let size = 0;
  await pipeline(
    source,
    new Writable({
      write(data: Buffer, _enc, cb) {
        whole.update(data);
        size += data.length;
        let offset = 0;
        while (offset < data.length) {
          const take = Math.min(chunkSize - fill, data.length - offset);
          current.update(data.subarray(offset, offset + take));
          fill += take;
          offset += take;
          if (fill === chunkSize) {
            chunks.push(current.digest('hex'));
            current = createHash('sha256');
            fill = 0;
          }
        }
        cb();
      },
    }),
  );
  if (fill > 0) chunks.push(current.digest('hex'));
  return { sha256: whole.digest('hex'), sizeBytes: size, chunks };
}

/** The signed manifest of the artifact file at `path` (one read pass). */
export async function buildSignedManifest(path: string, opts: PackOptions): Promise<SignedManifest> {
  const chunkSize = opts.chunkSize ?? DEFAULT_CHUNK_SIZE;
  const hashed = await hashArtifact(createReadStream(path, { highWaterMark: 1024 * 1024 }), chunkSize);
  const manifest: ModelManifest = parseManifest({
    name: opts.name,
    version: opts.version,
    format: 'gguf',
    sha256: hashed.sha256,
    sizeBytes: hashed.sizeBytes,
    chunkSize,
    chunks: hashed.chunks,
    license: opts.license,
    publisher: publisherIdOf(opts.privateKey),
  });
  return signManifest(manifest, opts.privateKey);
}

/**
 * The `.bkg` byte stream of a signed manifest and its artifact. The artifact goes through a `ChunkVerifier`, so a
 * file that changed since it was hashed fails the stream instead of producing a package that cannot verify.
 */
export function bkgStream(signed: SignedManifest, artifact: Readable): Readable {
  const header = headerBytesOf(signed);
  if (header.length > MAX_HEADER_BYTES) throw new PackageMalformedError(`the header would be ${header.length} bytes (max ${MAX_HEADER_BYTES}): use a larger chunk size`);
  let started = false;
  const prepend = new Transform({
    transform(data: Buffer, _enc, cb) {
      if (!started) {
        started = true;
        this.push(bkgPrefix(header.length));
        this.push(header);
      }
      cb(null, data);
    },
  });
  const verifier = new ChunkVerifier(signed.manifest);
  artifact.on('error', (e) => verifier.destroy(e));
  verifier.on('error', (e) => prepend.destroy(e));
  return artifact.pipe(verifier).pipe(prepend);
}

/** Packs `artifactPath` into a `.bkg` at `outPath` (written to a temp file, renamed when complete). */
export async function packBkg(artifactPath: string, outPath: string, opts: PackOptions): Promise<SignedManifest> {
  const signed = await buildSignedManifest(artifactPath, opts);
  const tmp = `${outPath}.${process.pid}.tmp`;
  try {
    await pipeline(bkgStream(signed, createReadStream(artifactPath, { highWaterMark: 1024 * 1024 })), createWriteStream(tmp, { mode: 0o644 }));
    await rename(tmp, outPath);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
  return signed;
}
