import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The llm edge's usage read model: tokens and requests per namespace, model and UTC day, written by the `llm_usage`
 * projector (cave_admin) from `chat_completed` / `embed_completed`; tenants read their own rows through RLS.
 */
export class LlmUsage1734400000000 implements MigrationInterface {
  name = 'LlmUsage1734400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`set local role cave_owner`);
    await q.query(`
      create table llm_usage (
        namespace text not null,
        day date not null,
        model text not null,
        requests bigint not null,
        prompt_tokens bigint not null,
        completion_tokens bigint not null,
        primary key (namespace, day, model)
      )`);
    await q.query(`alter table llm_usage enable row level security`);
    await q.query(`alter table llm_usage force row level security`);
    await q.query(`create policy llm_usage_tenant on llm_usage for select to cave_app using (namespace = current_setting('cave.namespace', true))`);
    await q.query(`grant select on llm_usage to cave_app`);
    await q.query(`grant select, insert, update on llm_usage to cave_admin`);
    await q.query(`insert into projection_read_models (table_name) values ('llm_usage') on conflict do nothing`);
    await q.query(`reset role`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`delete from projection_read_models where table_name = 'llm_usage'`);
    await q.query(`drop table llm_usage`);
  }
}
