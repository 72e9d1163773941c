import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Gap-safe readers (projections, audit, realtime) only read past transactions older than the
 * oldest one still open (ADR 0002). A tenant transaction left idle (a paused process, a bug that
 * forgets to commit) would therefore stall every follower for as long as it stays open. The runtime
 * role's transactions are short request-scoped units, so one idle for 60 s is ended by the server.
 * Role settings are cluster-wide, like the roles themselves; they apply to new sessions.
 */
export class RuntimeRoleTimeouts1733500000001 implements MigrationInterface {
  name = 'RuntimeRoleTimeouts1733500000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`alter role cave_app set idle_in_transaction_session_timeout = '60s'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`alter role cave_app reset idle_in_transaction_session_timeout`);
  }
}
