import { Client, Pool } from 'pg';
import { createTestDatabase, TestDatabase, waitFor } from '@cave/testing';
import { JobLeases } from './job-leases';

/** Two daemon instances on one database, each with its own pool, as `Replicator` uses them. */
describe('JobLeases (real PostgreSQL)', () => {
  let t: TestDatabase;
  const pools: Pool[] = [];
  const open: JobLeases[] = [];

  const instance = (name: string, onLost: (e: Error) => void = () => undefined) => {
    const pool = new Pool({ connectionString: t.adminUrl, application_name: name, max: 2 });
    pools.push(pool);
    const leases = new JobLeases(pool, onLost);
    open.push(leases);
    return leases;
  };

  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(async () => {
    for (const l of open) await l.close();
    for (const p of pools) await p.end();
    await t.drop();
  });

  it('gives a job to one instance at a time, and to another once it is released', async () => {
    const a = instance('leases-a1');
    const b = instance('leases-b1');
    const held = await a.claim('job-1');
    expect(held).toBeDefined();
    expect(await b.claim('job-1')).toBeUndefined();
    expect(await b.claim('job-2')).toBeDefined();
    await held!.release();
    expect(await b.claim('job-1')).toBeDefined();
    expect(await a.claim('job-1')).toBeUndefined();
  });

  it('frees the jobs of an instance whose session dies, and tells that instance', async () => {
    const lost: Error[] = [];
    const a = instance('leases-a2', (e) => lost.push(e));
    const b = instance('leases-b2');
    expect(await a.claim('job-3')).toBeDefined();
    expect(await b.claim('job-3')).toBeUndefined();
    // What a killed daemon leaves behind: its connection gone (here cut from the server side).
    const superuser = new Client({ connectionString: t.ownerUrl });
    await superuser.connect();
    const { rowCount } = await superuser.query(`select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'leases-a2'`);
    await superuser.end();
    expect(rowCount).toBe(1);
    await waitFor(async () => ((await b.claim('job-3')) ? true : undefined), 10_000, 'b takes job-3 over');
    await waitFor(async () => (lost.length === 1 ? true : undefined), 5_000, 'a told its leases are gone');
    // a reconnects on its next claim, and finds the job held.
    expect(await a.claim('job-3')).toBeUndefined();
    expect(await a.claim('job-4')).toBeDefined();
  });

  it('releases everything when an instance closes', async () => {
    const a = instance('leases-a3');
    const b = instance('leases-b3');
    expect(await a.claim('job-5')).toBeDefined();
    expect(await a.claim('job-6')).toBeDefined();
    await a.close();
    expect(await a.claim('job-7')).toBeUndefined();
    expect(await b.claim('job-5')).toBeDefined();
    expect(await b.claim('job-6')).toBeDefined();
  });
});
