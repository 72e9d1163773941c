import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The event explorer's time-range filter (`from`/`to` on the event-log routes). `recorded_at` grows with
 * the physical order of an append-only table, which is exactly what a BRIN index summarises: a few
 * kilobytes for millions of rows and next to nothing per append (unlike a B-tree, which every append
 * would pay for). Without it a range near the end of the log scans the whole commit-order index
 * (about 1 s over 1,000,000 events; docs/BENCHMARKS.md, section console).
 */
export class EventsRecordedAtBrin1733700000000 implements MigrationInterface {
  name = 'EventsRecordedAtBrin1733700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`set local role cave_owner`);
    await q.query(`create index events_recorded_at_brin on events using brin (recorded_at) with (pages_per_range = 32, autosummarize = on)`);
    await q.query(`reset role`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop index events_recorded_at_brin`);
  }
}
