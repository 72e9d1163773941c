import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, CreateMultipartUploadCommand, HeadObjectCommand, ListMultipartUploadsCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import request from 'supertest';
import { describeWithS3, startTestApp, TestApp } from '@cave/testing';
import { createApp } from '../apps/cave-daemon/src/bootstrap/create-app';
import { QUOTA_BYTES, QUOTA_OBJECTS, StorageCtx, storageContext, storageScenarios } from './support/storage-scenarios';

const ADMIN = 'cave_sk_' + 'z'.repeat(40);

/** The same storage API scenarios as the fs spec, with the bytes on a real S3 server (Ceph radosgw). */
describeWithS3('storage API on the s3 backend (e2e, Ceph radosgw)', (server) => {
  let t: TestApp;
  let ctx: StorageCtx;
  let s3: S3Client;
  const bucket = `cave-e2e-${randomBytes(4).toString('hex')}`;
  const prefix = 'daemon-a/';
  const dir = mkdtempSync(join(tmpdir(), 'cave-storage-s3-e2e-'));

  beforeAll(async () => {
    const s = server();
    s3 = new S3Client({ endpoint: s.endpoint, region: s.region, forcePathStyle: true, credentials: { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey } });
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    t = await startTestApp(createApp, {
      CAVE_BOOTSTRAP_ADMIN_KEY: ADMIN,
      CAVE_STORAGE_BACKEND: 's3',
      CAVE_STORAGE_S3_ENDPOINT: s.endpoint,
      CAVE_STORAGE_S3_REGION: s.region,
      CAVE_STORAGE_S3_BUCKET: bucket,
      CAVE_STORAGE_S3_ACCESS_KEY_ID: s.accessKeyId,
      CAVE_STORAGE_S3_SECRET_ACCESS_KEY: s.secretAccessKey,
      CAVE_STORAGE_S3_FORCE_PATH_STYLE: 'true',
      CAVE_STORAGE_S3_PREFIX: prefix,
      CAVE_STORAGE_FS_ROOT: dir,
      CAVE_BODY_LIMIT_BYTES: '16384',
      CAVE_STORAGE_NAMESPACE_QUOTAS: `team-q:${QUOTA_BYTES}:${QUOTA_OBJECTS}`,
      CAVE_STORAGE_SWEEP_INTERVAL_MS: '0',
      CAVE_STORAGE_SWEEP_GRACE_MS: '0',
    });
    ctx = await storageContext(t.url, ADMIN);
  });
  afterAll(async () => {
    await t?.close();
    s3?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  jest.setTimeout(180_000);
  storageScenarios(() => ctx);

  it('objects are S3 objects under the prefix; the sweeper collects unreferenced ones and unfinished multipart uploads', async () => {
    const a = { authorization: `Bearer ${ctx.a}` };
    await request(t.url).put('/api/v1/storage/buckets/sweep').set(a).expect(201);
    await request(t.url).put('/api/v1/storage/buckets/sweep/objects/kept').set(a).set('content-type', 'text/plain').send('still here').expect(200);
    const gone = await request(t.url).put('/api/v1/storage/buckets/sweep/objects/gone').set(a).set('content-type', 'text/plain').send('deleted soon').expect(200);
    await request(t.url).delete('/api/v1/storage/buckets/sweep/objects/gone').set(a).expect(204);
    const keys = async () => {
      const out: string[] = [];
      let token: string | undefined;
      do {
        const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `${prefix}blobs/`, ContinuationToken: token }));
        out.push(...(page.Contents ?? []).map((o) => o.Key!));
        token = page.NextContinuationToken;
      } while (token);
      return out;
    };
    const before = await keys();
    expect(before.length).toBeGreaterThan(2);
    // What a crash after the upload but before the event leaves behind: an object nobody references, and an
    // upload that never completed. A key outside the prefix belongs to someone else and stays.
    const orphan = `${prefix}blobs/11111111-2222-4333-8444-555555555555`;
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: orphan, Body: 'orphan' }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'other-deployment/blobs/11111111-2222-4333-8444-555555555555', Body: 'not ours' }));
    await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: `${prefix}blobs/22222222-2222-4333-8444-555555555555` }));
    const report = await request(t.url).post('/api/v1/admin/storage/sweep').set({ authorization: `Bearer ${ADMIN}` }).expect(200);
    expect(report.body.collected).toBeGreaterThanOrEqual(2);
    expect(report.body.temporary).toBeGreaterThanOrEqual(1);
    const after = await keys();
    expect(after).not.toContain(orphan);
    expect(after.length).toBe(before.length - report.body.collected + 1);
    expect((await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: `${prefix}blobs/` }))).Uploads ?? []).toEqual([]);
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'other-deployment/blobs/11111111-2222-4333-8444-555555555555' }));
    const back = await request(t.url).get('/api/v1/storage/buckets/sweep/objects/kept').set(a).expect(200);
    expect(back.text).toBe('still here');
    expect(gone.body.sha256).toMatch(/^[0-9a-f]{64}$/);
  });
});
