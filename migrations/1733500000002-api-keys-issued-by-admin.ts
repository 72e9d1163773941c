import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Keys are issued only by admins and the bootstrap, through the admin role; the runtime role keeps
 * SELECT and the revocation columns. Without INSERT, no statement run as cave_app can mint a key
 * (an admin key in its own namespace would be an admin over every namespace).
 */
export class ApiKeysIssuedByAdmin1733500000002 implements MigrationInterface {
  name = 'ApiKeysIssuedByAdmin1733500000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`set local role cave_owner`);
    await q.query(`revoke insert on api_keys from cave_app`);
    await q.query(`grant insert (id, namespace, name, role, prefix, secret_sha256, created_at, created_by, version) on api_keys to cave_admin`);
    await q.query(`reset role`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`set local role cave_owner`);
    await q.query(`revoke insert on api_keys from cave_admin`);
    await q.query(`grant insert on api_keys to cave_app`);
    await q.query(`reset role`);
  }
}
