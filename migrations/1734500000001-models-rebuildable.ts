import { MigrationInterface, QueryRunner } from 'typeorm';

/** Lets the projection runtime rebuild the registry tables from the log (the `models` projector, shadow + swap; ADR 0006). */
export class ModelsRebuildable1734500000001 implements MigrationInterface {
  name = 'ModelsRebuildable1734500000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`set local role cave_owner`);
    await q.query(`insert into projection_read_models (table_name) values ('model_publishers'), ('models'), ('model_activations') on conflict do nothing`);
    await q.query(`reset role`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`delete from projection_read_models where table_name in ('model_publishers', 'models', 'model_activations')`);
  }
}
