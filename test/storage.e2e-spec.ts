import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { startTestApp, TestApp } from '@cave/testing';
import { createApp } from '../apps/cave-daemon/src/bootstrap/create-app';
import { QUOTA_BYTES, QUOTA_OBJECTS, StorageCtx, storageContext, storageScenarios } from './support/storage-scenarios';

const ADMIN = 'cave_sk_' + 's'.repeat(40);

/** Storage API on the fs backend (default). Only team-q has (small) quotas. */
describe('storage API on the fs backend (e2e)', () => {
  let t: TestApp;
  let ctx: StorageCtx;
  const dir = mkdtempSync(join(tmpdir(), 'cave-storage-e2e-'));

  beforeAll(async () => {
    t = await startTestApp(createApp, {
      CAVE_BOOTSTRAP_ADMIN_KEY: ADMIN,
      CAVE_STORAGE_FS_ROOT: dir,
      CAVE_BODY_LIMIT_BYTES: '16384',
      CAVE_STORAGE_NAMESPACE_QUOTAS: `team-q:${QUOTA_BYTES}:${QUOTA_OBJECTS}`,
      // The sweeper runs only when the test asks, and with no grace, so what it keeps is kept by references alone.
      CAVE_STORAGE_SWEEP_INTERVAL_MS: '0',
      CAVE_STORAGE_SWEEP_GRACE_MS: '0',
    });
    ctx = await storageContext(t.url, ADMIN);
  });
  afterAll(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  jest.setTimeout(120_000);
  storageScenarios(() => ctx);

  it('the sweeper collects bytes no event references (a crash between blob and event, deleted objects, temp files) and keeps the rest', async () => {
    const a = { authorization: `Bearer ${ctx.a}` };
    await request(t.url).put('/api/v1/storage/buckets/sweep').set(a).expect(201);
    const kept = await request(t.url).put('/api/v1/storage/buckets/sweep/objects/kept').set(a).set('content-type', 'text/plain').send('still here').expect(200);
    const gone = await request(t.url).put('/api/v1/storage/buckets/sweep/objects/gone').set(a).set('content-type', 'text/plain').send('deleted soon').expect(200);
    await request(t.url).delete('/api/v1/storage/buckets/sweep/objects/gone').set(a).expect(204);
    // What a crash after the rename but before the event leaves behind: a blob under its hash, and a temp file.
    const orphan = createHash('sha256').update('orphan').digest('hex');
    mkdirSync(join(dir, 'blobs', orphan.slice(0, 2), orphan.slice(2, 4)), { recursive: true });
    writeFileSync(join(dir, 'blobs', orphan.slice(0, 2), orphan.slice(2, 4), orphan), 'orphan');
    writeFileSync(join(dir, 'tmp', 'half-written'), 'x');
    const blobPath = (sha: string) => join(dir, 'blobs', sha.slice(0, 2), sha.slice(2, 4), sha);
    expect(existsSync(blobPath(gone.body.sha256))).toBe(true);
    await request(t.url).post('/api/v1/admin/storage/sweep').set(a).expect(403);
    const report = await request(t.url).post('/api/v1/admin/storage/sweep').set({ authorization: `Bearer ${ADMIN}` }).expect(200);
    expect(report.body.collected).toBeGreaterThanOrEqual(2);
    expect(report.body.temporary).toBeGreaterThanOrEqual(1);
    expect([existsSync(blobPath(orphan)), existsSync(blobPath(gone.body.sha256)), existsSync(join(dir, 'tmp', 'half-written'))]).toEqual([false, false, false]);
    expect(existsSync(blobPath(kept.body.sha256))).toBe(true);
    const back = await request(t.url).get('/api/v1/storage/buckets/sweep/objects/kept').set(a).expect(200);
    expect(back.text).toBe('still here');
    const metrics = await request(t.url).get('/metrics').set({ authorization: `Bearer ${ADMIN}` }).expect(200);
    expect(metrics.text).toMatch(/cave_storage_swept_total\{kind="blob"\} [1-9]/);
  });
});
