import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { CreateBucketCommand, ListMultipartUploadsCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import getPort from 'get-port';
import request from 'supertest';
import { createTestDatabase, daemonEnv, describeWithS3, exited, S3Server, spawnDaemon, TestDatabase, waitFor, type DaemonProcess } from '@cave/testing';

const ADMIN = 'cave_sk_' + 'k'.repeat(40);
const bearer = (k: string) => ({ authorization: `Bearer ${k}` });
const DECLARED = 256 * 1024 * 1024;

/** A real daemon process (`apps/cave-daemon/src/main.ts` from source), as `npm start` runs it. */
function startDaemon(db: TestDatabase, port: number, env: Record<string, string>): DaemonProcess & { url: string } {
  const daemon = spawnDaemon(
    daemonEnv(
      { port, databaseUrl: db.ownerUrl, dataDir: '/tmp/cave-e2e-unused', auditLogPath: `/tmp/cave-e2e-audit/${db.name}-${port}.jsonl`, adminKey: ADMIN },
      { CAVE_STORAGE_SWEEP_INTERVAL_MS: '0', CAVE_STORAGE_SWEEP_GRACE_MS: '0', LOG_LEVEL: 'warn', ...env },
    ),
  );
  return { ...daemon, url: `http://127.0.0.1:${port}` };
}

const healthy = (url: string) => waitFor(async () => ((await request(url).get('/healthz').catch(() => undefined))?.status === 200 ? true : undefined), 120_000, `${url} healthy`);

/** Starts a PUT that declares DECLARED bytes and keeps sending 1 MiB chunks until the connection dies. */
function endlessUpload(url: string, path: string, key: string): { sent: () => number; done: Promise<unknown> } {
  let sent = 0;
  const body = new Readable({
    read() {
      if (sent >= DECLARED) return void this.push(null);
      sent += 1024 * 1024;
      // Slow enough that the kill lands mid-body, fast enough to get past one S3 part quickly.
      setTimeout(() => this.push(randomBytes(1024 * 1024)), 5);
    },
  });
  const done = new Promise((resolve) => {
    const req = httpRequest(`${url}${path}`, { method: 'PUT', headers: { ...bearer(key), 'content-type': 'application/octet-stream', 'content-length': String(DECLARED) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', resolve);
    body.pipe(req);
  });
  return { sent: () => sent, done };
}

interface Backend {
  env: Record<string, string>;
  /** Half-written leftovers in the backend: fs temp files, unfinished S3 multipart uploads. */
  leftovers(): Promise<number>;
  /** Bytes in the backend's blob area. */
  blobs(): Promise<number>;
}

/**
 * SIGKILL during a large upload: after a restart no object is visible, and the sweeper removes the bytes the
 * dead process left behind, on each backend.
 */
function crashScenario(backend: () => Promise<Backend>): void {
  let db: TestDatabase;
  const procs: ChildProcess[] = [];
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    await Promise.all(procs.map(exited));
    await db?.drop();
  });

  it('a daemon killed mid-upload leaves no visible object; after restart the sweeper removes the orphaned bytes', async () => {
    const b = await backend();
    const port = await getPort();
    const first = startDaemon(db, port, b.env);
    procs.push(first.proc);
    await healthy(first.url);
    const member = (await request(first.url).post('/api/v1/auth/keys').set(bearer(ADMIN)).send({ namespace: 'crash', name: 'c', role: 'member' }).expect(201)).body.key as string;
    await request(first.url).put('/api/v1/storage/buckets/media').set(bearer(member)).expect(201);
    const blobsBefore = await b.blobs();

    const upload = endlessUpload(first.url, '/api/v1/storage/buckets/media/objects/movie.bin', member);
    // The daemon has begun storing bytes (past one 8 MiB S3 part) when it dies.
    await waitFor(async () => ((await b.leftovers()) > 0 && upload.sent() > 24 * 1024 * 1024 ? true : undefined), 60_000, 'upload in progress in the backend');
    first.proc.kill('SIGKILL');
    await exited(first.proc);
    await upload.done;
    expect(upload.sent()).toBeLessThan(DECLARED);
    expect(await b.leftovers()).toBeGreaterThan(0);

    const second = startDaemon(db, port, b.env);
    procs.push(second.proc);
    await healthy(second.url);
    expect((await request(second.url).head('/api/v1/storage/buckets/media/objects/movie.bin').set(bearer(member))).status).toBe(404);
    expect((await request(second.url).get('/api/v1/storage/buckets/media/objects').set(bearer(member)).expect(200)).body.items).toEqual([]);
    expect((await request(second.url).get('/api/v1/storage/buckets/media').set(bearer(member)).expect(200)).body).toMatchObject({ objects: 0, bytes: 0 });
    const { rows } = await db.db.admin.query(`select count(*)::int as n from events where namespace = 'crash' and event_type = 'object_stored'`);
    expect(rows).toEqual([{ n: 0 }]);

    const report = await request(second.url).post('/api/v1/admin/storage/sweep').set(bearer(ADMIN)).expect(200);
    expect(report.body.temporary).toBeGreaterThan(0);
    expect(await b.leftovers()).toBe(0);
    expect(await b.blobs()).toBe(blobsBefore);
    // The restarted daemon stores the same key normally.
    await request(second.url).put('/api/v1/storage/buckets/media/objects/movie.bin').set(bearer(member)).set('content-type', 'application/octet-stream').send(Buffer.from('whole')).expect(200);
    second.proc.kill('SIGTERM');
    await exited(second.proc);
  });
}

jest.setTimeout(300_000);

describe('storage: SIGKILL mid-upload on the fs backend (e2e, daemon process)', () => {
  const root = mkdtempSync(join(tmpdir(), 'cave-storage-crash-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const count = (dir: string) => {
    try {
      return readdirSync(dir, { recursive: true }).filter((f) => statSync(join(dir, String(f))).isFile()).length;
    } catch {
      return 0;
    }
  };
  crashScenario(async () => ({
    env: { CAVE_STORAGE_FS_ROOT: root },
    leftovers: async () => count(join(root, 'tmp')),
    blobs: async () => count(join(root, 'blobs')),
  }));
});

describeWithS3('storage: SIGKILL mid-upload on the s3 backend (e2e, daemon process, Ceph radosgw)', (server) => {
  const root = mkdtempSync(join(tmpdir(), 'cave-storage-crash-s3-'));
  const bucket = `cave-crash-${randomBytes(4).toString('hex')}`;
  let s3: S3Client | undefined;
  afterAll(() => {
    s3?.destroy();
    rmSync(root, { recursive: true, force: true });
  });
  crashScenario(async () => {
    const s: S3Server = server();
    s3 = new S3Client({ endpoint: s.endpoint, region: s.region, forcePathStyle: true, credentials: { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey } });
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const client = s3;
    return {
      env: {
        CAVE_STORAGE_BACKEND: 's3',
        CAVE_STORAGE_S3_ENDPOINT: s.endpoint,
        CAVE_STORAGE_S3_REGION: s.region,
        CAVE_STORAGE_S3_BUCKET: bucket,
        CAVE_STORAGE_S3_ACCESS_KEY_ID: s.accessKeyId,
        CAVE_STORAGE_S3_SECRET_ACCESS_KEY: s.secretAccessKey,
        CAVE_STORAGE_S3_FORCE_PATH_STYLE: 'true',
        CAVE_STORAGE_FS_ROOT: root,
      },
      leftovers: async () => ((await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }))).Uploads ?? []).length,
      blobs: async () => ((await client.send(new ListObjectsV2Command({ Bucket: bucket }))).Contents ?? []).length,
    };
  });
});
