import { createTestDatabase, TestDatabase } from '@cave/testing';
import { provisionRoleLogins } from './role-credentials';

describe('provisionRoleLogins', () => {
  let a: TestDatabase;
  let b: TestDatabase;
  beforeAll(async () => {
    [a, b] = await Promise.all([createTestDatabase(), createTestDatabase()]);
  });
  afterAll(async () => {
    await Promise.all([a?.drop(), b?.drop()]);
  });

  it('lets daemons of several databases on one server provision the cluster-wide roles at the same time', async () => {
    // Roles live in pg_authid for the whole server: concurrent ALTER ROLEs collide ("tuple concurrently updated").
    await Promise.all(Array.from({ length: 12 }, (_, i) => provisionRoleLogins((i % 2 ? a : b).ownerUrl)));
  });
});
