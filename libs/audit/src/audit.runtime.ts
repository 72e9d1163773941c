import { Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Counter, Gauge, Registry } from 'prom-client';
import { AuditService } from './audit.service';
import { CheckpointService } from './checkpoints/checkpoint.service';
import { AuditFileSink } from './projections/audit-file-sink';
import { AuditFollower } from './projections/audit-follower';

/**
 * Runs the audit pipeline inside the daemon: writer (via the follower), JSONL mirror, periodic
 * checkpoint signing, and the metrics. Warns once at start when entries will not be HMAC-signed.
 */
export class AuditRuntime implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Audit');
  private checkpointTimer?: NodeJS.Timeout;
  private readonly written: Counter;
  private readonly checkpointSize: Gauge;

  constructor(
    private readonly follower: AuditFollower,
    private readonly sink: AuditFileSink,
    private readonly checkpoints: CheckpointService,
    private readonly service: AuditService,
    private readonly hmacConfigured: boolean,
    registry: Registry,
  ) {
    this.written = new Counter({ name: 'cave_audit_entries_written_total', help: 'Audit entries written by this instance', registers: [registry] });
    this.checkpointSize = new Gauge({ name: 'cave_audit_checkpoint_size', help: 'Tree size of the last signed audit checkpoint', registers: [registry] });
    const lag = () => this.service.lag();
    new Gauge({
      name: 'cave_audit_lag_events',
      help: 'Committed events not yet in the audit log',
      registers: [registry],
      async collect() {
        // A scrape must not fail because the database is briefly away; -1 marks "unknown".
        this.set(await lag().catch(() => -1));
      },
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.hmacConfigured) {
      this.logger.warn('CAVE_AUDIT_LOG_HMAC_KEY is not set: audit entries are hash-chained but not HMAC-signed');
    }
    // Load (or create) the signing key now, so a bad CAVE_AUDIT_SIGNING_KEY stops the start.
    this.logger.log(`audit checkpoints signed by ${this.checkpoints.signer.verifierKey}`);
    await this.sink.open();
    this.follower.start();
  }

  async onModuleDestroy(): Promise<void> {
    clearTimeout(this.checkpointTimer);
    await this.follower.stop();
    await this.sink.close();
  }

  /** Called by the follower after each committed batch. */
  async afterBatch(firstSeq: number, lines: string[]): Promise<void> {
    if (lines.length === 0) return;
    this.written.inc(lines.length);
    await this.sink.append(firstSeq, lines);
    // Sign at most once a second while entries keep coming.
    this.checkpointTimer ??= setTimeout(() => {
      this.checkpointTimer = undefined;
      this.signNow().catch((e: unknown) => this.logger.error({ err: e }, 'audit checkpoint signing failed'));
    }, 1000).unref();
  }

  async signNow(): Promise<void> {
    const cp = await this.checkpoints.signLatest();
    this.checkpointSize.set(cp.treeSize);
  }
}
