import { Counter, Registry } from 'prom-client';
import type { Database, StatementBatcher } from '@cave/event-store';

/**
 * Group-commit counters, read from the batchers at scrape time. statements / round_trips is the batch size
 * (1 at light load, tens under load); a rising split count means batches keep meeting server errors.
 */
export function registerBatchMetrics(registry: Registry, db: Database): void {
  const batchers: Record<string, StatementBatcher> = { appends: db.appends, key_lookups: db.lookups, tenant_reads: db.reads };
  const counter = (name: string, help: string, read: (b: StatementBatcher) => number) =>
    new Counter({
      name,
      help,
      labelNames: ['batcher'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const [label, b] of Object.entries(batchers)) this.inc({ batcher: label }, read(b));
      },
    });
  counter('cave_db_batch_round_trips_total', 'Round trips sent by the group-commit batchers', (b) => b.stats.roundTrips);
  counter('cave_db_batch_statements_total', 'Statements carried by those round trips', (b) => b.stats.statements);
  counter('cave_db_batch_splits_total', 'Batches rolled back by a server error; their other statements were re-sent', (b) => b.stats.splits);
  counter('cave_db_batch_isolated_total', 'Statements sent alone because their tenant had just had a statement refused in a shared batch', (b) => b.stats.isolated);
}
