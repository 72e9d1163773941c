import { Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Counter, Gauge, Registry } from 'prom-client';
import { backgroundSample, LogThrottle } from '@cave/observability';
import { ProjectionRegistry } from '@cave/projections';
import { AuditService } from './audit.service';
import { CheckpointService } from './checkpoints/checkpoint.service';
import { AuditFileSink } from './projections/audit-file-sink';
import { AuditBatchResult, AuditWriter } from './projections/audit-writer';
import { auditProjection } from './projections/audit.projection';

export interface AuditRuntimeOptions {
  /** How often this instance's file copies entries other instances wrote (ms). */
  fileCatchUpMs?: number;
}

/**
 * The audit pipeline inside the daemon. The writer runs as the `audit` projector of the projection
 * runtime (leadership, CAS checkpoints, poison handling, lag metrics come from there); this class
 * keeps the JSONL mirror (appended and fsynced after each committed batch on the leader, caught up
 * from the table on every instance when idle), the periodic checkpoint signing, and the audit
 * metrics. Warns once at start when entries will not be HMAC-signed.
 */
export class AuditRuntime implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Audit');
  /** The file catch-up runs every few hundred ms: while the database is down, one line per 30 s. */
  private readonly catchUpFailures = new LogThrottle(30_000);
  private checkpointTimer?: NodeJS.Timeout;
  private catchUpTimer?: NodeJS.Timeout;
  private stopped = false;
  private readonly written: Counter;
  private readonly checkpointSize: Gauge;
  private readonly fileCatchUpMs: number;

  constructor(
    private readonly projections: ProjectionRegistry,
    private readonly writer: AuditWriter,
    private readonly sink: AuditFileSink,
    private readonly checkpoints: CheckpointService,
    private readonly service: AuditService,
    private readonly hmacConfigured: boolean,
    registry: Registry,
    opts: AuditRuntimeOptions = {},
  ) {
    this.fileCatchUpMs = opts.fileCatchUpMs ?? 500;
    this.written = new Counter({ name: 'cave_audit_entries_written_total', help: 'Audit entries committed by this instance (while it leads the audit projector)', registers: [registry] });
    this.checkpointSize = new Gauge({ name: 'cave_audit_checkpoint_size', help: 'Tree size of the last checkpoint signed by this instance', registers: [registry] });
    const lag = backgroundSample(() => this.service.lag());
    new Gauge({
      name: 'cave_audit_lag_events',
      help: 'Committed events not yet in the audit log (any instance answers; the audit projector also reports cave_projection_lag_events{projection="audit"})',
      registers: [registry],
      collect() {
        // Off the database's critical path: a scrape never waits for it; -1 marks "unknown".
        this.set(lag());
      },
    });
  }

  /** Before the projection runtime starts (application bootstrap): file ready, projector registered. */
  async onModuleInit(): Promise<void> {
    if (!this.hmacConfigured) {
      this.logger.warn('CAVE_AUDIT_LOG_HMAC_KEY is not set: audit entries are hash-chained but not HMAC-signed');
    }
    // Load (or create) the signing key now, so a bad CAVE_AUDIT_SIGNING_KEY stops the start.
    this.logger.log(`audit checkpoints signed by ${this.checkpoints.signer.verifierKey}`);
    await this.sink.open();
    this.projections.register(auditProjection(this.writer, (r) => this.afterCommit(r)));
    this.scheduleCatchUp();
  }

  /** After the runtime stopped (it stops in beforeApplicationShutdown), so no batch writes to a closed file. */
  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.checkpointTimer);
    clearTimeout(this.catchUpTimer);
    await this.sink.close();
  }

  /** A batch of entries committed on this instance: mirror it into the file (fsynced) and sign soon. */
  async afterCommit(r: AuditBatchResult): Promise<void> {
    this.written.inc(r.lines.length);
    await this.sink.append(r.firstSeq, r.lines);
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

  /**
   * Every instance keeps its own file; only the leader appends after commit. The others (and the
   * leader after a failed append) copy what they miss from the table: one index lookup when nothing is.
   */
  private scheduleCatchUp(): void {
    if (this.stopped) return;
    this.catchUpTimer = setTimeout(() => {
      this.sink
        .catchUp()
        .then(() => this.catchUpFailures.clear('catch-up'))
        .catch((e: unknown) => {
          const line = this.catchUpFailures.admit('catch-up');
          if (line) this.logger.warn({ err: e, suppressed: line.suppressed }, 'audit file catch-up failed; retrying');
        })
        .finally(() => this.scheduleCatchUp());
    }, this.fileCatchUpMs);
    this.catchUpTimer.unref();
  }
}
