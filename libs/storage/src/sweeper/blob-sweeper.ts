import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { CAVE_CONFIG, CaveConfig } from '@cave/config';
import { Database, withClient } from '@cave/event-store';
import { BLOB_BACKEND, BlobBackend } from '../backends/blob-backend';
import { StorageMetrics } from '../storage.metrics';

export interface SweepReport {
  scanned: number;
  collected: number;
  temporary: number;
}

/**
 * Reconciles the backend against the events: a blob no `objects` row and no open upload part references, and
 * older than the grace period, is bytes whose event never committed (a crash between the two) or whose object
 * was deleted or replaced, and is removed. Half-written temp files and unfinished S3 multipart uploads older
 * than the grace go too. Each deletion runs under the blob's advisory lock taken exclusively, while a commit
 * holds it shared from its existence check to its commit, so a blob is never deleted under a committing event.
 * One instance sweeps at a time (session advisory lock); the others skip the round.
 */
@Injectable()
export class BlobSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('StorageSweeper');
  private timer?: NodeJS.Timeout;
  private running?: Promise<SweepReport>;

  constructor(
    private readonly db: Database,
    @Inject(BLOB_BACKEND) private readonly backend: BlobBackend,
    @Inject(CAVE_CONFIG) private readonly config: CaveConfig,
    private readonly metrics: StorageMetrics,
  ) {}

  onApplicationBootstrap(): void {
    const every = this.config.storage.sweepIntervalMs;
    if (every > 0) {
      this.timer = setInterval(() => void this.sweep().catch((e: unknown) => this.logger.warn({ err: e }, 'sweep failed')), every);
      this.timer.unref();
    }
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** One pass now (also `POST /api/v1/admin/storage/sweep`); concurrent callers share the pass in progress. */
  sweep(): Promise<SweepReport> {
    this.running ??= this.pass().finally(() => (this.running = undefined));
    return this.running;
  }

  private async pass(): Promise<SweepReport> {
    const report: SweepReport = { scanned: 0, collected: 0, temporary: 0 };
    await withClient(this.db.admin, async (leader, lease) => {
      const { rows } = await leader.query<{ ok: boolean }>(`select pg_try_advisory_lock(hashtextextended('cave.storage.sweeper', 0)) as ok`);
      if (!rows[0].ok) return;
      try {
        const before = new Date(Date.now() - this.config.storage.sweepGraceMs);
        report.temporary = await this.backend.sweepTemporary(before);
        for await (const b of this.backend.list()) {
          report.scanned++;
          if (b.modifiedAt >= before) continue;
          if (await this.collect(b.blob, before)) report.collected++;
        }
      } finally {
        // A session lock must not stay behind on a pooled connection: if the unlock fails, destroy it.
        await leader.query(`select pg_advisory_unlock(hashtextextended('cave.storage.sweeper', 0))`).catch((e: Error) => lease.discard(e));
      }
    });
    this.metrics.swept.inc({ kind: 'blob' }, report.collected);
    this.metrics.swept.inc({ kind: 'temporary' }, report.temporary);
    if (report.collected + report.temporary > 0) this.logger.log({ msg: 'storage sweep', ...report, backend: this.backend.name });
    return report;
  }

  private async collect(blob: string, before: Date): Promise<boolean> {
    return this.db.asAdmin(async (c) => {
      await c.query(`select pg_advisory_xact_lock(hashtextextended('cave.storage.blob:' || $1::text, 0))`, [blob]);
      const { rows } = await c.query<{ used: boolean }>(
        `select exists (select 1 from objects where blob = $1) or exists (select 1 from object_upload_parts where blob = $1) as used`,
        [blob],
      );
      if (rows[0].used) return false;
      // Re-read under the lock: a dedup write may have refreshed it since the listing.
      const modified = await this.backend.modifiedAt(blob);
      if (modified === undefined || modified >= before) return false;
      await this.backend.delete(blob);
      return true;
    });
  }
}
