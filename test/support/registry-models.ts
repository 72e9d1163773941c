import { createReadStream, rmSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { generateKeyPairSync, KeyObject } from 'node:crypto';
import { packBkg, publicKeyPem, SignedManifest } from '@cave/models';

/**
 * Models for multi-node tests and benches, made and registered the way an operator does it: an artifact file packed
 * into a signed `.bkg` by the registry's own pack code (what `cave models pack` runs), its publisher trusted and the
 * package uploaded through the admin registry API (`/api/v1/admin/llm/...`) of a running daemon.
 */
export interface PackedModel {
  signed: SignedManifest;
  /** The artifact file (no header). */
  artifactPath: string;
  bkgPath: string;
}

export function newPublisher(): KeyObject {
  return generateKeyPairSync('ed25519').privateKey;
}

/** Deterministic pseudo-random bytes (a model file stand-in: the registry does not parse GGUF). */
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

/** Writes `bytes` under `dir` and packs them into `<name>.bkg` signed by `key`. */
export async function packModel(dir: string, bytes: Buffer, name: string, chunkSize: number, key: KeyObject): Promise<PackedModel> {
  const artifactPath = `${dir}/${name}.gguf`;
  const bkgPath = `${dir}/${name}.bkg`;
  writeFileSync(artifactPath, bytes);
  const signed = await packBkg(artifactPath, bkgPath, { name, version: '1.0.0', license: 'MIT', chunkSize, privateKey: key });
  return { signed, artifactPath, bkgPath };
}

/** The signed manifest of an artifact file under another key (its package is thrown away): a re-signed manifest. */
export async function signAs(artifactPath: string, name: string, chunkSize: number, key: KeyObject): Promise<SignedManifest> {
  const out = `${artifactPath}.resigned.bkg`;
  const signed = await packBkg(artifactPath, out, { name, version: '1.0.0', license: 'MIT', chunkSize, privateKey: key });
  rmSync(out);
  return signed;
}

const auth = (adminKey: string) => ({ authorization: `Bearer ${adminKey}` });

/** `POST /api/v1/admin/llm/publishers` with the key's public half. */
export async function trustPublisher(baseUrl: string, adminKey: string, key: KeyObject): Promise<void> {
  const res = await fetch(`${baseUrl}/api/v1/admin/llm/publishers`, {
    method: 'POST',
    headers: { ...auth(adminKey), 'content-type': 'application/json' },
    body: JSON.stringify({ publicKey: publicKeyPem(key), label: 'test publisher' }),
  });
  if (res.status !== 201 && res.status !== 200) throw new Error(`trusting the publisher answered ${res.status}: ${await res.text()}`);
}

/** Streams the `.bkg` file to `POST /api/v1/admin/llm/models`; resolves with the registered model resource. */
export function uploadModel(baseUrl: string, adminKey: string, bkgPath: string): Promise<{ modelId: string; status: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${baseUrl}/api/v1/admin/llm/models`,
      { method: 'POST', headers: { ...auth(adminKey), 'content-type': 'application/octet-stream', 'content-length': statSync(bkgPath).size } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => (res.statusCode === 201 ? resolve(JSON.parse(body)) : reject(new Error(`model upload answered ${res.statusCode}: ${body}`))));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    createReadStream(bkgPath).on('error', reject).pipe(req);
  });
}
