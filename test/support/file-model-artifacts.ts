import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { createReadStream, existsSync } from 'node:fs';
import { createHash, createPublicKey, generateKeyPairSync, KeyObject, sign, verify } from 'node:crypto';
import { join } from 'node:path';
import { DomainError } from '@cave/kernel';
import type { ModelArtifacts, ModelManifest, SignedManifest } from '@cave/models';

/**
 * A stand-in for the model registry behind the MODEL_ARTIFACTS port, backed by files (`<dir>/<sha256>/{signed.json,
 * artifact}`), with the checks the port promises: Ed25519 signature over the JCS manifest, trusted publisher,
 * every chunk and the whole hash. For peers tests until the models context implements the port.
 */
export class FileModelArtifacts implements ModelArtifacts {
  constructor(
    private readonly dir: string,
    private readonly trusted: KeyObject[],
  ) {}

  private cached?: { at: number; items: SignedManifest[] };

  async inventory(): Promise<SignedManifest[]> {
    // Chunk requests look chunks up here: reading every manifest per request would make the stand-in the bottleneck.
    if (this.cached && Date.now() - this.cached.at < 1_000) return this.cached.items;
    const items = await this.scan();
    this.cached = { at: Date.now(), items };
    return items;
  }

  private async scan(): Promise<SignedManifest[]> {
    if (!existsSync(this.dir)) return [];
    const out: SignedManifest[] = [];
    for (const d of await readdir(this.dir)) {
      const path = join(this.dir, d, 'signed.json');
      if (existsSync(path)) out.push(JSON.parse(await readFile(path, 'utf8')) as SignedManifest);
    }
    return out;
  }

  async manifest(sha: string): Promise<SignedManifest | undefined> {
    return (await this.inventory()).find((s) => s.manifest.sha256 === sha);
  }

  async openChunk(chunkSha: string, range?: { start: number; end: number }) {
    for (const s of await this.inventory()) {
      const i = s.manifest.chunks.indexOf(chunkSha);
      if (i < 0) continue;
      const size = Math.min(s.manifest.chunkSize, s.manifest.sizeBytes - i * s.manifest.chunkSize);
      const r = range ?? { start: 0, end: size - 1 };
      const base = i * s.manifest.chunkSize;
      return { size, body: createReadStream(join(this.dir, s.manifest.sha256, 'artifact'), { start: base + r.start, end: base + Math.min(r.end, size - 1) }) };
    }
    return undefined;
  }

  async verifyManifest(signed: SignedManifest): Promise<void> {
    const key = this.trusted.find((k) => publisherIdOf(k) === signed.manifest.publisher);
    if (!key) throw new TestModelError('MODELS.PUBLISHER_UNTRUSTED', `publisher ${signed.manifest.publisher} is not trusted`);
    if (!verify(null, jcs(signed.manifest), key, Buffer.from(signed.signature, 'base64url'))) throw new TestModelError('MODELS.SIGNATURE_INVALID', 'bad signature');
  }

  async registerAssembled(signed: SignedManifest, artifactPath: string): Promise<void> {
    await this.verifyManifest(signed);
    const m = signed.manifest;
    const bytes = await readFile(artifactPath);
    if (bytes.length !== m.sizeBytes) throw new TestModelError('MODELS.ARTIFACT_TRUNCATED', 'wrong size');
    m.chunks.forEach((c, i) => {
      if (sha256(bytes.subarray(i * m.chunkSize, (i + 1) * m.chunkSize)) !== c) throw new TestModelError('MODELS.CHUNK_HASH_MISMATCH', `chunk ${i}`);
    });
    if (sha256(bytes) !== m.sha256) throw new TestModelError('MODELS.ARTIFACT_HASH_MISMATCH', 'whole hash');
    await mkdir(join(this.dir, m.sha256), { recursive: true });
    await copyFile(artifactPath, join(this.dir, m.sha256, 'artifact'));
    await writeFile(join(this.dir, m.sha256, 'signed.json'), JSON.stringify(signed));
    this.cached = undefined;
  }

  /** Seeds a model directly (the origin node). */
  static async seed(dir: string, signed: SignedManifest, bytes: Buffer): Promise<void> {
    await mkdir(join(dir, signed.manifest.sha256), { recursive: true });
    await writeFile(join(dir, signed.manifest.sha256, 'artifact'), bytes);
    await writeFile(join(dir, signed.manifest.sha256, 'signed.json'), JSON.stringify(signed));
  }
}

class TestModelError extends DomainError {
  readonly kind = 'unprocessable';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
// RFC 8785 for a manifest: ASCII keys sorted, strings, safe integers and an array of strings serialise as JSON.stringify does.
const jcs = (m: ModelManifest) => Buffer.from(JSON.stringify(Object.fromEntries(Object.entries(m).sort(([x], [y]) => (x < y ? -1 : 1)))), 'utf8');

export function publisherIdOf(key: KeyObject): string {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return sha256(Buffer.from(pub.export({ format: 'jwk' }).x as string, 'base64url'));
}

export function newPublisher(): { privateKey: KeyObject; publicKey: KeyObject } {
  return generateKeyPairSync('ed25519');
}

/** A `.bkg`-style signed manifest for `bytes` (ADR 0016 shape). */
export function packModel(bytes: Buffer, name: string, chunkSize: number, privateKey: KeyObject): SignedManifest {
  const chunks: string[] = [];
  for (let at = 0; at < bytes.length; at += chunkSize) chunks.push(sha256(bytes.subarray(at, at + chunkSize)));
  const manifest: ModelManifest = {
    name,
    version: '1.0.0',
    format: 'gguf',
    sha256: sha256(bytes),
    sizeBytes: bytes.length,
    chunkSize,
    chunks,
    license: 'MIT',
    publisher: publisherIdOf(privateKey),
  };
  return { manifest, signature: sign(null, jcs(manifest), privateKey).toString('base64url') };
}

/** Deterministic pseudo-random bytes (a model file stand-in). */
export function modelBytes(size: number, seed: number): Buffer {
  const out = Buffer.allocUnsafe(Math.ceil(size / 4) * 4);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out.writeUInt32LE(x >>> 0, i);
  }
  return out.subarray(0, size);
}
