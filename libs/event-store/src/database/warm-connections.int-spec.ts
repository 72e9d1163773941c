import { createTestDatabase, TestDatabase } from '@cave/testing';
import { Database } from './database';

/** A quiet stretch must not close every connection: the next request would first open one (TCP, SCRAM, startup). */
describe('Database pools through a quiet stretch (real Postgres)', () => {
  let t: TestDatabase;
  let db: Database;

  beforeAll(async () => {
    t = await createTestDatabase();
    // The idle timeout shortened from 10 s so the test sees it act.
    db = new Database({ appUrl: t.appUrl, adminUrl: t.adminUrl }, 10, { idleTimeoutMillis: 50 });
  });
  afterAll(async () => {
    await db?.close();
    await t.drop();
  });

  it('keeps a few connections of each pool open and closes only the ones above them', async () => {
    // Six connections of the app pool and three of the admin pool at once.
    await Promise.all([
      ...Array.from({ length: 6 }, () => db.app.query('select pg_sleep(0.05)')),
      ...Array.from({ length: 3 }, () => db.admin.query('select pg_sleep(0.05)')),
    ]);
    expect(db.app.totalCount).toBe(6);
    expect(db.admin.totalCount).toBe(3);
    await new Promise((r) => setTimeout(r, 400));
    expect(db.app.totalCount).toBe(4);
    expect(db.admin.totalCount).toBe(2);
    // They still work: the next statement needs no new connection.
    await db.app.query('select 1');
    expect(db.app.totalCount).toBe(4);
  });
});
