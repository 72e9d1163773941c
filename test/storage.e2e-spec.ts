import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { startTestApp, TestApp } from '@cave/testing';
import { createApp } from '../apps/cave-daemon/src/bootstrap/create-app';
import { QUOTA_BYTES, QUOTA_OBJECTS, StorageCtx, storageScenarios } from './support/storage-scenarios';

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
    });
    ctx = await storageContext(t.url, ADMIN);
  });
  afterAll(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  jest.setTimeout(120_000);
  storageScenarios(() => ctx);
});

export async function storageContext(url: string, admin: string): Promise<StorageCtx> {
  const issue = async (namespace: string) =>
    (await request(url).post('/api/v1/auth/keys').set({ authorization: `Bearer ${admin}` }).send({ namespace, name: `${namespace}-storage`, role: 'member' }).expect(201)).body as { id: string; key: string };
  const [a, b, q] = [await issue('team-a'), await issue('team-b'), await issue('team-q')];
  return { url, admin, a: a.key, aId: a.id, b: b.key, quota: q.key };
}
