import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The runtime role only ever revokes a key in place (revoked_at, version). A table-wide UPDATE
 * grant would let any statement run as cave_app (a future bug, an injection) turn a member key
 * of its namespace into an admin key, which is an admin over every namespace. Column grants make
 * that impossible at the privilege level; RLS still confines the update to the caller's namespace.
 */
export class ApiKeysColumnGrants1733500000000 implements MigrationInterface {
  name = 'ApiKeysColumnGrants1733500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`set local role cave_owner`);
    await q.query(`revoke update on api_keys from cave_app`);
    await q.query(`grant update (revoked_at, version) on api_keys to cave_app`);
    await q.query(`reset role`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`set local role cave_owner`);
    await q.query(`revoke update (revoked_at, version) on api_keys from cave_app`);
    await q.query(`grant update on api_keys to cave_app`);
    await q.query(`reset role`);
  }
}
