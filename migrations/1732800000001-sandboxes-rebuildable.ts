import { MigrationInterface, QueryRunner } from 'typeorm';

/** Lets the projection runtime rebuild `sandboxes` (shadow + swap); see docs/adr/0006. */
export class SandboxesRebuildable1732800000001 implements MigrationInterface {
  name = 'SandboxesRebuildable1732800000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`set local role cave_owner`);
    await q.query(`insert into projection_read_models (table_name) values ('sandboxes') on conflict do nothing`);
    await q.query(`reset role`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`delete from projection_read_models where table_name = 'sandboxes'`);
  }
}
