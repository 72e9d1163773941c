import { execFileSync } from 'node:child_process';
import { createHash, generateKeyPairSync, KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { SignedManifest } from '../contracts/model-package';
import { manifestSigningBytes, parseManifest } from '../domain/manifest.rules';
import { parsePublicKey, publicKeyPem, publisherIdOf, rawPublicKey, signManifest, verifyManifestSignature } from '../domain/publisher-key';
import { packBkg } from './bkg-pack';
import { bkgPrefix, BkgHeaderReader, headerBytesOf, MAX_HEADER_BYTES } from './bkg-reader';
import { ChunkVerifier } from './chunk-verifier';

const KIB = 1024;
const newKey = (): KeyObject => generateKeyPairSync('ed25519').privateKey;

function artifactOf(size: number, seed = 1): Buffer {
  const b = Buffer.alloc(size);
  let x = seed;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

const dir = mkdtempSync(join(tmpdir(), 'bkg-spec-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function pack(artifact: Buffer, key: KeyObject, chunkSize = 64 * KIB): Promise<{ bkg: Buffer; signed: SignedManifest }> {
  const src = join(dir, `a-${Math.random()}.gguf`);
  const out = `${src}.bkg`;
  writeFileSync(src, artifact);
  const signed = await packBkg(src, out, { name: 'tiny', version: '1.0.0', license: 'MIT', chunkSize, privateKey: key });
  return { bkg: readFileSync(out), signed };
}

function withHeader(signed: SignedManifest, artifact: Buffer): Buffer {
  const header = headerBytesOf(signed);
  return Buffer.concat([bkgPrefix(header.length), header, artifact]);
}

/** Reads a package the way the registry does: trust check on the header, every chunk checked as it passes. */
async function read(bytes: Buffer | Readable, trusted: KeyObject[], slice = 10_000): Promise<{ signed: SignedManifest; artifact: Buffer }> {
  const src = Buffer.isBuffer(bytes) ? Readable.from(splitInto(bytes, slice)) : bytes;
  const out: Buffer[] = [];
  const reader = new BkgHeaderReader(
    (signed) => {
      const key = trusted.find((k) => publisherIdOf(k) === signed.manifest.publisher);
      if (!key) throw new Error('untrusted');
      verifyManifestSignature(signed, key);
    },
    { verifyChunks: true },
  );
  await pipeline(src, reader, new Writable({ write: (c: Buffer, _e, cb) => (out.push(c), cb()) }));
  return { signed: reader.signed!, artifact: Buffer.concat(out) };
}

function splitInto(b: Buffer, n: number): Buffer[] {
  const parts: Buffer[] = [];
  for (let i = 0; i < b.length; i += n) parts.push(b.subarray(i, i + n));
  return parts;
}

describe('.bkg packages (ADR 0016)', () => {
  const key = newKey();
  const artifact = artifactOf(200 * KIB + 123);

  it('packs, signs and reads back: manifest hashes and bytes match the artifact', async () => {
    const { bkg, signed } = await pack(artifact, key);
    expect(bkg.subarray(0, 4).toString()).toBe('BKG1');
    const m = signed.manifest;
    expect(m).toMatchObject({ name: 'tiny', version: '1.0.0', format: 'gguf', license: 'MIT', sizeBytes: artifact.length, chunkSize: 64 * KIB });
    expect(m.sha256).toBe(createHash('sha256').update(artifact).digest('hex'));
    expect(m.chunks).toHaveLength(4);
    expect(m.chunks[3]).toBe(createHash('sha256').update(artifact.subarray(3 * 64 * KIB)).digest('hex'));
    expect(m.publisher).toBe(createHash('sha256').update(rawPublicKey(key)).digest('hex'));
    const back = await read(bkg, [key]);
    expect(back.signed).toEqual(signed);
    expect(back.artifact.equals(artifact)).toBe(true);
  });

  it('reads a package split at every awkward boundary (1 byte at a time through the prefix and header)', async () => {
    const { bkg } = await pack(artifactOf(64 * KIB * 2), key);
    expect((await read(bkg, [key], 1)).artifact.length).toBe(128 * KIB);
  });

  it('signs the RFC 8785 bytes: identical to the canonicalize package', async () => {
    const { signed } = await pack(artifactOf(70 * KIB), key);
    // canonicalize is ESM-only; a plain Node process loads it.
    const script = `import c from 'canonicalize'; process.stdout.write(c(JSON.parse(process.argv[1])));`;
    const { version, ...rest } = signed.manifest;
    const shuffled = JSON.stringify({ version, ...rest, license: signed.manifest.license });
    const theirs = execFileSync(process.execPath, ['--input-type=module', '-e', script, shuffled], { cwd: process.cwd() });
    expect(manifestSigningBytes(signed.manifest).equals(theirs)).toBe(true);
  });

  it('refuses a tampered manifest (signature kept)', async () => {
    const { signed } = await pack(artifact, key);
    const forged = { ...signed, manifest: { ...signed.manifest, license: 'Proprietary' } };
    await expect(read(withHeader(forged, artifact), [key])).rejects.toMatchObject({ code: 'MODELS.SIGNATURE_INVALID' });
  });

  it('refuses a signature by another key than the one the manifest names', async () => {
    const { signed } = await pack(artifact, key);
    const other = newKey();
    const otherSigned = signManifest({ ...signed.manifest, publisher: publisherIdOf(other) }, other);
    const stolen = { manifest: signed.manifest, signature: otherSigned.signature };
    await expect(read(withHeader(stolen, artifact), [key, other])).rejects.toMatchObject({ code: 'MODELS.SIGNATURE_INVALID' });
    expect(() => verifyManifestSignature(signed, other)).toThrow(expect.objectContaining({ code: 'MODELS.SIGNATURE_INVALID' }));
  });

  it('refuses a flipped byte in a chunk, naming the chunk, before passing the rest', async () => {
    const { bkg } = await pack(artifact, key);
    const bad = Buffer.from(bkg);
    const headerEnd = 8 + bad.readUInt32BE(4);
    bad[headerEnd + 2 * 64 * KIB + 17] ^= 0x01;
    await expect(read(bad, [key])).rejects.toMatchObject({ code: 'MODELS.CHUNK_HASH_MISMATCH', details: { chunk: 2 } });
  });

  it('refuses a truncated artifact, a truncated header and trailing bytes', async () => {
    const { bkg } = await pack(artifact, key);
    await expect(read(bkg.subarray(0, bkg.length - 1), [key])).rejects.toMatchObject({ code: 'MODELS.ARTIFACT_TRUNCATED' });
    await expect(read(bkg.subarray(0, 100), [key])).rejects.toMatchObject({ code: 'MODELS.ARTIFACT_TRUNCATED' });
    await expect(read(bkg.subarray(0, 3), [key])).rejects.toMatchObject({ code: 'MODELS.ARTIFACT_TRUNCATED' });
    await expect(read(Buffer.concat([bkg, Buffer.from([0])]), [key])).rejects.toMatchObject({ code: 'MODELS.ARTIFACT_TOO_LONG' });
  });

  it('refuses an artifact whose chunks match but whose whole hash is not the manifest sha256', async () => {
    const { signed } = await pack(artifact, key);
    const lying = signManifest({ ...signed.manifest, sha256: 'f'.repeat(64) }, key);
    await expect(read(withHeader(lying, artifact), [key])).rejects.toMatchObject({ code: 'MODELS.ARTIFACT_HASH_MISMATCH' });
  });

  it('refuses hostile header lengths from the 8-byte prefix alone, without waiting for (or buffering) more', async () => {
    for (const length of [0xffffffff, MAX_HEADER_BYTES + 1, 0, 1]) {
      const src = new PassThrough();
      src.write(bkgPrefix(length)); // never ended: the refusal must not need more bytes
      await expect(read(src, [key])).rejects.toMatchObject({ code: 'MODELS.PACKAGE_MALFORMED' });
    }
    const notBkg = new PassThrough();
    notBkg.write(Buffer.from('GGUF'));
    await expect(read(notBkg, [key])).rejects.toMatchObject({ code: 'MODELS.PACKAGE_MALFORMED' });
  });

  it('refuses a header that is not JSON or not the manifest schema', async () => {
    const junk = Buffer.from('{"manifest":', 'utf8');
    await expect(read(Buffer.concat([bkgPrefix(junk.length), junk]), [key])).rejects.toMatchObject({ code: 'MODELS.PACKAGE_MALFORMED' });
    const { signed } = await pack(artifact, key);
    const extra = Buffer.from(JSON.stringify({ ...signed, manifest: { ...signed.manifest, extra: 1 } }));
    await expect(read(Buffer.concat([bkgPrefix(extra.length), extra, artifact]), [key])).rejects.toMatchObject({ code: 'MODELS.MANIFEST_INVALID' });
  });

  it('holds every artifact byte back until the header is accepted', async () => {
    const { bkg } = await pack(artifact, key);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const seen: number[] = [];
    const reader = new BkgHeaderReader(() => gate, { verifyChunks: true });
    const done = pipeline(Readable.from(splitInto(bkg, 4096)), reader, new Writable({ write: (c: Buffer, _e, cb) => (seen.push(c.length), cb()) }));
    await new Promise((r) => setTimeout(r, 50));
    expect(seen).toEqual([]);
    release();
    await done;
    expect(seen.reduce((a, b) => a + b, 0)).toBe(artifact.length);
  });

  it('verifies a suffix of the artifact from a chunk index (for resumed transfers)', async () => {
    const { signed } = await pack(artifact, key);
    const tail = artifact.subarray(2 * 64 * KIB);
    await pipeline(Readable.from([tail]), new ChunkVerifier(signed.manifest, 2), new Writable({ write: (_c, _e, cb) => cb() }));
    const bad = Buffer.from(tail);
    bad[bad.length - 1] ^= 1;
    await expect(pipeline(Readable.from([bad]), new ChunkVerifier(signed.manifest, 2), new Writable({ write: (_c, _e, cb) => cb() }))).rejects.toMatchObject({
      code: 'MODELS.CHUNK_HASH_MISMATCH',
      details: { chunk: 3 },
    });
  });
});

describe('manifest rules and publisher keys', () => {
  const key = newKey();
  const base = {
    name: 'tiny',
    version: '1',
    format: 'gguf',
    sha256: 'a'.repeat(64),
    sizeBytes: 65 * KIB,
    chunkSize: 64 * KIB,
    chunks: ['b'.repeat(64), 'c'.repeat(64)],
    license: 'MIT',
    publisher: publisherIdOf(key),
  };

  it('accepts ADR 0016 manifests and refuses each broken rule', () => {
    expect(parseManifest(base)).toEqual(base);
    const refuse = (patch: Record<string, unknown>, field: string) =>
      expect(() => parseManifest({ ...base, ...patch })).toThrow(expect.objectContaining({ code: 'MODELS.MANIFEST_INVALID', errors: [expect.objectContaining({ field })] }));
    refuse({ name: 'Bad Name' }, 'name');
    refuse({ format: 'safetensors' }, 'format');
    refuse({ chunkSize: 100_000 }, 'chunkSize');
    refuse({ chunkSize: 32 * KIB }, 'chunkSize');
    refuse({ chunks: ['b'.repeat(64)] }, 'chunks');
    refuse({ sizeBytes: 0 }, 'sizeBytes');
    refuse({ sha256: 'A'.repeat(64) }, 'sha256');
    refuse({ extra: true }, 'extra');
  });

  it('reads a public key as PEM, raw base64 and raw base64url, all with the same publisher id', () => {
    const raw = rawPublicKey(key);
    const id = publisherIdOf(key);
    expect(publisherIdOf(parsePublicKey(publicKeyPem(key)))).toBe(id);
    expect(publisherIdOf(parsePublicKey(raw.toString('base64')))).toBe(id);
    expect(publisherIdOf(parsePublicKey(raw.toString('base64url')))).toBe(id);
    expect(() => parsePublicKey('AAAA')).toThrow(expect.objectContaining({ code: 'MODELS.KEY_INVALID' }));
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'pem', type: 'spki' }).toString();
    expect(() => parsePublicKey(rsa)).toThrow(expect.objectContaining({ code: 'MODELS.KEY_INVALID' }));
  });
});
