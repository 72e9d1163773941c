import { execFile } from 'node:child_process';
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, KeyObject } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { ACTIVE_MODELS, ActiveModels, MODEL_ARTIFACTS, ModelArtifacts, packBkg, publicKeyPem, publisherIdOf, rawPublicKey, SignedManifest } from '@cave/models';
import { startTestApp, TestApp, waitFor } from '@cave/testing';
import { createApp } from '../apps/cave-daemon/src/bootstrap/create-app';
// White-box: forged and malformed packages are built from the format's parts (the toolkit contract only packs).
import { signManifest } from '../libs/models/src/domain/publisher-key';
import { bkgPrefix, headerBytesOf } from '../libs/models/src/package/bkg-reader';

const ADMIN = 'cave_sk_' + 'm'.repeat(40);
const KIB = 1024;
const admin = { authorization: `Bearer ${ADMIN}` };

function bytesOf(size: number, seed: number): Buffer {
  const b = Buffer.alloc(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    b[i] = x & 0xff;
  }
  return b;
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** The model registry over real HTTP on real PostgreSQL, with the fs storage backend (issue 16, registry half). */
describe('model registry (e2e)', () => {
  let t: TestApp;
  let member: string;
  let active: ActiveModels;
  let artifacts: ModelArtifacts;
  const dir = mkdtempSync(join(tmpdir(), 'cave-models-e2e-'));
  const publisher = generateKeyPairSync('ed25519').privateKey;
  const stranger = generateKeyPairSync('ed25519').privateKey;
  let seed = 100;

  /** A fresh artifact packed and signed in process (the CLI is exercised once, below). */
  async function pack(opts: { key?: KeyObject; name?: string; version?: string; size?: number } = {}): Promise<{ bkg: Buffer; artifact: Buffer; signed: SignedManifest }> {
    const artifact = bytesOf(opts.size ?? 200 * KIB + 7, seed++);
    const file = join(dir, `a${seed}.gguf`);
    writeFileSync(file, artifact);
    const signed = await packBkg(file, `${file}.bkg`, { name: opts.name ?? `m${seed}`, version: opts.version ?? '1', license: 'MIT', chunkSize: 64 * KIB, privateKey: opts.key ?? publisher });
    return { bkg: readFileSync(`${file}.bkg`), artifact, signed };
  }

  const upload = (bkg: Buffer, key = admin) => request(t.url).post('/api/v1/admin/llm/models').set(key).set('content-type', 'application/octet-stream').send(bkg);
  const eventsOf = async (modelId: string) =>
    ((await request(t.url).get('/api/v1/admin/events').query({ streamId: `model-${modelId}`, limit: 100 }).set(admin).expect(200)).body.items as { type: string }[]).map((e) => e.type);
  /**
   * The event log answers in commit-safe order (below every open transaction of the cluster), so a just-committed
   * event can take a moment to show while other test files write: poll until the stream reads `expected`, then
   * make sure it stays there (nothing more was appended).
   */
  const expectEvents = async (modelId: string, expected: string[]) => {
    const seen = await waitFor(async () => {
      const types = await eventsOf(modelId);
      return types.length >= expected.length ? types : undefined;
    }, 15_000, `${expected.length} events of model-${modelId}`);
    expect(seen).toEqual(expected);
  };
  const blobPath = (hex: string) => join(dir, 'storage', 'blobs', hex.slice(0, 2), hex.slice(2, 4), hex);

  beforeAll(async () => {
    t = await startTestApp(createApp, {
      CAVE_BOOTSTRAP_ADMIN_KEY: ADMIN,
      CAVE_DATA_DIR: join(dir, 'data'),
      CAVE_STORAGE_FS_ROOT: join(dir, 'storage'),
      CAVE_STORAGE_SWEEP_INTERVAL_MS: '0',
      ...(process.env.MODELS_LOG && { LOG_LEVEL: 'error' }),
    });
    member = (await request(t.url).post('/api/v1/auth/keys').set(admin).send({ namespace: 'acme', name: 'acme-llm', role: 'member' }).expect(201)).body.key;
    active = t.app.get(ACTIVE_MODELS);
    artifacts = t.app.get(MODEL_ARTIFACTS);
  });
  afterAll(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });
  jest.setTimeout(120_000);

  it('refuses a package of a publisher nobody trusted yet, storing nothing', async () => {
    const { bkg, signed } = await pack();
    const res = await upload(bkg).expect(422);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body.code).toBe('MODELS.PUBLISHER_UNTRUSTED');
    await request(t.url).get(`/api/v1/admin/llm/models/${signed.manifest.sha256}`).set(admin).expect(404);
    expect(existsSync(blobPath(signed.manifest.sha256))).toBe(false);
  });

  it('admins trust, list and look up publisher keys (PEM or raw base64); a retry is 200 with the same key', async () => {
    const raw = rawPublicKey(publisher).toString('base64');
    const created = await request(t.url).post('/api/v1/admin/llm/publishers').set(admin).send({ publicKey: raw, label: 'release' }).expect(201);
    expect(created.body).toMatchObject({ publisherId: publisherIdOf(publisher), publicKey: raw, label: 'release', status: 'trusted', revokedAt: null });
    await request(t.url).post('/api/v1/admin/llm/publishers').set(admin).send({ publicKey: raw, label: 'release' }).expect(200);
    const list = await request(t.url).get('/api/v1/admin/llm/publishers').set(admin).expect(200);
    expect(list.body.items.map((p: { publisherId: string }) => p.publisherId)).toEqual([publisherIdOf(publisher)]);
    await request(t.url).get(`/api/v1/admin/llm/publishers/${publisherIdOf(publisher)}`).set(admin).expect(200);
    await request(t.url).get(`/api/v1/admin/llm/publishers/${'0'.repeat(64)}`).set(admin).expect(404);
    const bad = await request(t.url).post('/api/v1/admin/llm/publishers').set(admin).send({ publicKey: 'bm90IGEga2V5' }).expect(400);
    expect(bad.body.code).toBe('MODELS.KEY_INVALID');
  });

  it('member keys cannot reach any admin model route (403)', async () => {
    const m = { authorization: `Bearer ${member}` };
    const id = 'a'.repeat(64);
    await request(t.url).get('/api/v1/admin/llm/publishers').set(m).expect(403);
    await request(t.url).post('/api/v1/admin/llm/publishers').set(m).send({ publicKey: rawPublicKey(stranger).toString('base64') }).expect(403);
    await request(t.url).get('/api/v1/admin/llm/models').set(m).expect(403);
    await request(t.url).put(`/api/v1/admin/llm/models/${id}/activations/acme`).set(m).expect(403);
    const { bkg } = await pack();
    await upload(bkg, m).expect(403);
    await request(t.url).get('/api/v1/admin/llm/models').expect(401);
  });

  it('end to end: CLI keygen + pack, register, verify, activate; ActiveModels serves a verified local copy to that namespace only', async () => {
    // The package comes from the CLI, as an operator would make it; keygen runs alongside (each CLI start costs
    // seconds of transpiling, so the two run at once and pack uses a key made here in the same PKCS#8 PEM form).
    const cli = (...args: string[]) =>
      new Promise<string>((resolve, reject) =>
        execFile('npm', ['run', '-s', 'cli', '--', ...args], { cwd: join(__dirname, '..'), encoding: 'utf8' }, (e, out, err) => (e ? reject(new Error(`${e.message}\n${err}`)) : resolve(out))),
      );
    const opsKey = generateKeyPairSync('ed25519').privateKey;
    writeFileSync(join(dir, 'ops.key'), opsKey.export({ format: 'pem', type: 'pkcs8' }));
    const artifact = bytesOf(300 * KIB, 7);
    writeFileSync(join(dir, 'Tiny-Model.gguf'), artifact);
    const [keygenOut] = await Promise.all([
      cli('models', 'keygen', '--out', join(dir, 'made')),
      cli('models', 'pack', join(dir, 'Tiny-Model.gguf'), '--key', join(dir, 'ops.key'), '--version', '1.0.0', '--license', 'Apache-2.0', '--chunk-size', '65536', '--out', join(dir, 'tiny.bkg')),
    ]);
    const made = createPrivateKey(readFileSync(join(dir, 'made.key'), 'utf8'));
    expect(keygenOut).toContain(publisherIdOf(made));
    expect(publisherIdOf(createPublicKey(readFileSync(join(dir, 'made.pub'), 'utf8')))).toBe(publisherIdOf(made));
    expect(statSync(join(dir, 'made.key')).mode & 0o777).toBe(0o600);
    await request(t.url).post('/api/v1/admin/llm/publishers').set(admin).send({ publicKey: publicKeyPem(opsKey) }).expect(201);

    const bkg = readFileSync(join(dir, 'tiny.bkg'));
    const reg = await upload(bkg).expect(201);
    const modelId = sha(artifact);
    expect(reg.body).toMatchObject({ modelId, name: 'tiny-model', version: '1.0.0', license: 'Apache-2.0', sizeBytes: artifact.length, chunkCount: 5, status: 'verified', source: 'upload', activeIn: [] });
    await expectEvents(modelId, ['model_registered', 'model_verified']);
    // The same package again is the same model, and no new event.
    expect((await upload(bkg).expect(201)).body.modelId).toBe(modelId);
    await expectEvents(modelId, ['model_registered', 'model_verified']);

    expect(await active.resolve('acme', 'tiny-model')).toBeUndefined();
    const verified = await request(t.url).post(`/api/v1/admin/llm/models/${modelId}/verify`).set(admin).expect(200);
    expect(verified.body).toMatchObject({ status: 'verified', failure: null });
    const act = await request(t.url).put(`/api/v1/admin/llm/models/${modelId}/activations/acme`).set(admin).expect(200);
    expect(act.body.activeIn).toEqual(['acme']);
    await request(t.url).put(`/api/v1/admin/llm/models/${modelId}/activations/acme`).set(admin).expect(200);
    await expectEvents(modelId, ['model_registered', 'model_verified', 'model_verified', 'model_activated']);

    const resolved = await active.resolve('acme', 'tiny-model');
    expect(resolved).toBeDefined();
    expect(resolved!.manifest.sha256).toBe(modelId);
    expect(resolved!.localPath.startsWith(join(dir, 'data'))).toBe(true);
    expect(sha(readFileSync(resolved!.localPath))).toBe(modelId);
    // Another namespace, and an unknown name, see nothing.
    expect(await active.resolve('beta', 'tiny-model')).toBeUndefined();
    expect(await active.resolve('acme', 'nope')).toBeUndefined();

    // Deactivation closes it again (idempotent).
    await request(t.url).delete(`/api/v1/admin/llm/models/${modelId}/activations/acme`).set(admin).expect(200);
    await request(t.url).delete(`/api/v1/admin/llm/models/${modelId}/activations/acme`).set(admin).expect(200);
    expect(await active.resolve('acme', 'tiny-model')).toBeUndefined();
    const listed = await request(t.url).get('/api/v1/admin/llm/models').query({ name: 'tiny-model' }).set(admin).expect(200);
    expect(listed.body.items).toHaveLength(1);
  });

  it('refuses each broken package with its own code; nothing is registered or stored', async () => {
    const refused = async (bkg: Buffer, status: number, code: string, modelId?: string) => {
      const res = await upload(bkg).expect(status);
      expect(res.body.code).toBe(code);
      if (modelId) {
        await request(t.url).get(`/api/v1/admin/llm/models/${modelId}`).set(admin).expect(404);
        expect(existsSync(blobPath(modelId))).toBe(false);
      }
      return res.body;
    };
    const withHeader = (signed: SignedManifest, artifact: Buffer) => {
      const h = headerBytesOf(signed);
      return Buffer.concat([bkgPrefix(h.length), h, artifact]);
    };

    const tampered = await pack();
    const forged = { ...tampered.signed, manifest: { ...tampered.signed.manifest, license: 'Proprietary' } };
    await refused(withHeader(forged, tampered.artifact), 422, 'MODELS.SIGNATURE_INVALID', tampered.signed.manifest.sha256);

    const wrongKey = await pack({ key: stranger });
    await refused(wrongKey.bkg, 422, 'MODELS.PUBLISHER_UNTRUSTED', wrongKey.signed.manifest.sha256);
    const borrowed = await pack();
    const strangerSig = signManifest({ ...borrowed.signed.manifest, publisher: publisherIdOf(stranger) }, stranger).signature;
    await refused(withHeader({ manifest: borrowed.signed.manifest, signature: strangerSig }, borrowed.artifact), 422, 'MODELS.SIGNATURE_INVALID', borrowed.signed.manifest.sha256);

    const flipped = await pack();
    const bad = Buffer.from(flipped.bkg);
    bad[8 + bad.readUInt32BE(4) + 64 * KIB + 3] ^= 0x80;
    const body = await refused(bad, 422, 'MODELS.CHUNK_HASH_MISMATCH', flipped.signed.manifest.sha256);
    expect(body.chunk ?? body.details?.chunk).toBe(1);

    const truncated = await pack();
    await refused(truncated.bkg.subarray(0, truncated.bkg.length - 1000), 422, 'MODELS.ARTIFACT_TRUNCATED', truncated.signed.manifest.sha256);
    const long = await pack();
    await refused(Buffer.concat([long.bkg, Buffer.from('x')]), 422, 'MODELS.ARTIFACT_TOO_LONG', long.signed.manifest.sha256);

    await refused(Buffer.concat([bkgPrefix(0xffffffff), Buffer.alloc(64)]), 400, 'MODELS.PACKAGE_MALFORMED');
    await refused(Buffer.from('GGUF not a package'), 400, 'MODELS.PACKAGE_MALFORMED');
    await refused(Buffer.alloc(0), 422, 'MODELS.ARTIFACT_TRUNCATED');

    // A new artifact under a name and version that is taken.
    const first = await pack({ name: 'clash', version: '1' });
    await upload(first.bkg).expect(201);
    const second = await pack({ name: 'clash', version: '1' });
    await refused(second.bkg, 409, 'MODELS.VERSION_TAKEN', second.signed.manifest.sha256);
  });

  it('verify re-hashes the stored bytes: corruption fails it, closes every activation and ActiveModels stops serving', async () => {
    const { bkg, signed } = await pack({ name: 'fragile' });
    const modelId = signed.manifest.sha256;
    await upload(bkg).expect(201);
    await request(t.url).put(`/api/v1/admin/llm/models/${modelId}/activations/acme`).set(admin).expect(200);
    const local = (await active.resolve('acme', 'fragile'))!.localPath;

    const stored = readFileSync(blobPath(modelId));
    stored[3 * 64 * KIB + 10] ^= 1;
    writeFileSync(blobPath(modelId), stored);
    const res = await request(t.url).post(`/api/v1/admin/llm/models/${modelId}/verify`).set(admin).expect(200);
    expect(res.body).toMatchObject({ status: 'failed', failure: { code: 'MODELS.CHUNK_HASH_MISMATCH', chunk: 3 }, activeIn: [] });
    await expectEvents(modelId, ['model_registered', 'model_verified', 'model_activated', 'model_verification_failed']);
    expect(existsSync(local)).toBe(false);
    expect(await active.resolve('acme', 'fragile')).toBeUndefined();
    const refused = await request(t.url).put(`/api/v1/admin/llm/models/${modelId}/activations/acme`).set(admin).expect(409);
    expect(refused.body.code).toBe('MODELS.NOT_VERIFIED');
    // Uploading the intact package again repairs it.
    await upload(bkg).expect(201);
    expect((await request(t.url).get(`/api/v1/admin/llm/models/${modelId}`).set(admin).expect(200)).body.status).toBe('verified');
  });

  it('imports a .bkg from object storage, serves chunks to peers, registers assembled artifacts, deletes', async () => {
    const { bkg, signed, artifact } = await pack({ name: 'imported' });
    await request(t.url).put('/api/v1/storage/buckets/drops').set(admin).expect(201);
    await request(t.url).put('/api/v1/storage/buckets/drops/objects/in/pkg.bkg').set(admin).set('content-type', 'application/octet-stream').send(bkg).expect(200);
    const imp = await request(t.url).post('/api/v1/admin/llm/models/import').set(admin).send({ bucket: 'drops', key: 'in/pkg.bkg' }).expect(201);
    expect(imp.body).toMatchObject({ modelId: signed.manifest.sha256, status: 'verified', source: 'storage:system/drops/in/pkg.bkg' });
    const missing = await request(t.url).post('/api/v1/admin/llm/models/import').set(admin).send({ bucket: 'drops', key: 'nope' }).expect(404);
    expect(missing.body.code).toBe('MODELS.IMPORT_SOURCE_NOT_FOUND');

    // The peers port: inventory, manifest, chunk ranges from the verified copy.
    expect((await artifacts.inventory()).map((s) => s.manifest.sha256)).toContain(signed.manifest.sha256);
    expect(await artifacts.manifest(signed.manifest.sha256)).toEqual(signed);
    const chunk = await artifacts.openChunk(signed.manifest.chunks[2], { start: 10, end: 99 });
    const got: Buffer[] = [];
    for await (const c of chunk!.body) got.push(c as Buffer);
    expect(chunk!.size).toBe(64 * KIB);
    expect(Buffer.concat(got).equals(artifact.subarray(2 * 64 * KIB + 10, 2 * 64 * KIB + 100))).toBe(true);
    expect(await artifacts.openChunk('0'.repeat(64))).toBeUndefined();
    await expect(artifacts.openChunk(signed.manifest.chunks[3], { start: 0, end: 64 * KIB })).rejects.toMatchObject({ code: 'MODELS.CHUNK_RANGE' });

    // An artifact assembled by a peer goes through the same checks.
    const other = await pack({ name: 'assembled' });
    const file = join(dir, 'assembled.gguf');
    writeFileSync(file, other.artifact);
    const corrupt = Buffer.from(other.artifact);
    corrupt[5] ^= 1;
    writeFileSync(`${file}.bad`, corrupt);
    // Peers check a manifest alone before fetching a chunk, and get the codes registration answers.
    await artifacts.verifyManifest(other.signed);
    const strangers = await pack({ key: stranger, name: 'strangers' });
    await expect(artifacts.verifyManifest(strangers.signed)).rejects.toMatchObject({ code: 'MODELS.PUBLISHER_UNTRUSTED' });
    await expect(artifacts.verifyManifest({ ...other.signed, manifest: { ...other.signed.manifest, license: 'Proprietary' } })).rejects.toMatchObject({ code: 'MODELS.SIGNATURE_INVALID' });
    const taken = await pack({ name: signed.manifest.name, version: signed.manifest.version });
    await expect(artifacts.verifyManifest(taken.signed)).rejects.toMatchObject({ code: 'MODELS.VERSION_TAKEN' });
    await expect(artifacts.registerAssembled(other.signed, `${file}.bad`, 'system:peers')).rejects.toMatchObject({ code: 'MODELS.CHUNK_HASH_MISMATCH' });
    await artifacts.registerAssembled(other.signed, file, 'system:peers');
    await expectEvents(other.signed.manifest.sha256, ['model_registered', 'model_verified']);

    // Delete: gone from the registry, storage and every namespace; a retry is a no-op.
    const id = signed.manifest.sha256;
    await request(t.url).put(`/api/v1/admin/llm/models/${id}/activations/acme`).set(admin).expect(200);
    await request(t.url).delete(`/api/v1/admin/llm/models/${id}`).set(admin).expect(204);
    await request(t.url).delete(`/api/v1/admin/llm/models/${id}`).set(admin).expect(204);
    await request(t.url).get(`/api/v1/admin/llm/models/${id}`).set(admin).expect(404);
    expect(await active.resolve('acme', 'imported')).toBeUndefined();
    await expectEvents(id, ['model_registered', 'model_verified', 'model_activated', 'model_deleted']);
  });

  it('revoking a publisher refuses its new packages and fails its models at the next verification', async () => {
    const { bkg, signed } = await pack({ name: 'revoked-soon' });
    await upload(bkg).expect(201);
    await request(t.url).delete(`/api/v1/admin/llm/publishers/${publisherIdOf(publisher)}`).set(admin).expect(200);
    const later = await pack({ name: 'too-late' });
    expect((await upload(later.bkg).expect(422)).body.code).toBe('MODELS.PUBLISHER_UNTRUSTED');
    const v = await request(t.url).post(`/api/v1/admin/llm/models/${signed.manifest.sha256}/verify`).set(admin).expect(200);
    expect(v.body).toMatchObject({ status: 'failed', failure: { code: 'MODELS.PUBLISHER_UNTRUSTED' } });
    await request(t.url).get('/api/v1/admin/llm/models/not-a-sha').set(admin).expect(400);
  });

  it('the registry tables are a read model: damaged rows come back from the log by an admin rebuild (shadow + swap)', async () => {
    // Every kind of row the events above left (trusted and revoked publishers; verified, failed and deleted models),
    // plus a live activation to lose.
    await request(t.url).post('/api/v1/admin/llm/publishers').set(admin).send({ publicKey: rawPublicKey(stranger).toString('base64'), label: 'second' }).expect(201);
    const { bkg, signed } = await pack({ key: stranger, name: 'rebuilt' });
    const id = signed.manifest.sha256;
    await upload(bkg).expect(201);
    await request(t.url).put(`/api/v1/admin/llm/models/${id}/activations/acme`).set(admin).expect(200);
    await request(t.url).put(`/api/v1/admin/llm/models/${id}/activations/beta`).set(admin).expect(200);
    await request(t.url).delete(`/api/v1/admin/llm/models/${id}/activations/beta`).set(admin).expect(200);
    const tables = async () =>
      t.database.db.asAdmin(async (c) => ({
        publishers: (await c.query('select to_jsonb(p) as r from model_publishers p order by publisher_id')).rows.map((x) => x.r),
        models: (await c.query('select to_jsonb(m) as r from models m order by model_id')).rows.map((x) => x.r),
        activations: (await c.query('select to_jsonb(a) as r from model_activations a order by namespace, name')).rows.map((x) => x.r),
      }));
    const before = await tables();
    expect(before.activations.map((a: { namespace: string; model_id: string }) => [a.namespace, a.model_id])).toEqual([['acme', id]]);
    expect(new Set(before.models.map((m: { status: string }) => m.status))).toEqual(new Set(['verified', 'failed', 'deleted']));
    expect(new Set(before.publishers.map((p: { status: string }) => p.status))).toEqual(new Set(['trusted', 'revoked']));

    await t.database.db.asAdmin(async (c) => {
      await c.query('delete from model_activations');
      await c.query(`update models set status = 'failed', failure_code = 'TAMPERED', stream_version = 1`);
      await c.query(`update model_publishers set label = 'tampered', status = 'revoked'`);
    });
    expect(await active.resolve('acme', 'rebuilt')).toBeUndefined();

    const get = () => request(t.url).get('/api/v1/admin/projections/models').set(admin).expect(200);
    expect((await get()).body).toMatchObject({ registered: true, rebuildable: true, tables: ['model_publishers', 'models', 'model_activations'] });
    await request(t.url).post('/api/v1/admin/projections/models/rebuild').set(admin).expect(202);
    const done = await waitFor(async () => {
      const b = (await get()).body;
      return b.rebuild?.status === 'done' || b.rebuild?.status === 'failed' ? b : undefined;
    }, 30_000, 'models rebuild done');
    expect(done.rebuild).toMatchObject({ status: 'done', error: null });
    expect(await tables()).toEqual(before);
    expect((await active.resolve('acme', 'rebuilt'))?.manifest.sha256).toBe(id);
    // Over the llm edge: the namespace it was deactivated for gets 404 for the name, like an unknown model.
    const beta = (await request(t.url).post('/api/v1/auth/keys').set(admin).send({ namespace: 'beta', name: 'beta-llm', role: 'member' }).expect(201)).body.key;
    const chat = await request(t.url).post('/api/v1/llm/chat').set('authorization', `Bearer ${beta}`).send({ model: 'rebuilt', messages: [{ role: 'user', content: 'hi' }] }).expect(404);
    expect(chat.body.code).toBe('LLM.MODEL_NOT_FOUND');
  });
});
