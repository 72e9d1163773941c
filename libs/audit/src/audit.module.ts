import { Logger, Module } from '@nestjs/common';
import { CAVE_CONFIG, CaveConfig } from '@cave/config';
import { Database } from '@cave/event-store';
import { MetricsService } from '@cave/observability';
import { ProjectionRegistry } from '@cave/projections';
import { AuditRuntime } from './audit.runtime';
import { AuditService } from './audit.service';
import { AuditTree } from './checkpoints/audit-tree';
import { CheckpointService } from './checkpoints/checkpoint.service';
import { loadSigningKey } from './checkpoints/signing-key';
import { HmacKeyRing } from './domain/hmac-key-ring';
import { AuditAdminController } from './http/audit-admin.controller';
import { AuditMemberController } from './http/audit-member.controller';
import { AuditFileSink } from './projections/audit-file-sink';
import { AuditWriter } from './projections/audit-writer';

/** Bounded context `AuditModule`: the tamper-evident audit log derived from the events. */
@Module({
  controllers: [AuditAdminController, AuditMemberController],
  providers: [
    { provide: HmacKeyRing, inject: [CAVE_CONFIG], useFactory: (c: CaveConfig) => new HmacKeyRing(c.audit.hmacKey, c.audit.hmacPreviousKeys) },
    { provide: AuditWriter, inject: [HmacKeyRing], useFactory: (ring: HmacKeyRing) => new AuditWriter(ring) },
    { provide: AuditTree, inject: [Database], useFactory: (db: Database) => new AuditTree(db) },
    {
      provide: CheckpointService,
      inject: [CAVE_CONFIG, Database, AuditTree],
      useFactory: (c: CaveConfig, db: Database, tree: AuditTree) => {
        const log = new Logger('Audit');
        return new CheckpointService(db, tree, () => loadSigningKey(c.audit.signingKey, c.dataDir, (m) => log.warn(m)));
      },
    },
    {
      provide: AuditService,
      inject: [CAVE_CONFIG, Database, AuditTree, CheckpointService, HmacKeyRing],
      useFactory: (c: CaveConfig, db: Database, tree: AuditTree, cps: CheckpointService, ring: HmacKeyRing) =>
        new AuditService(db, tree, cps, ring, c.audit.logPath),
    },
    {
      provide: AuditFileSink,
      inject: [CAVE_CONFIG, Database],
      useFactory: (c: CaveConfig, db: Database) => {
        const log = new Logger('AuditFile');
        return new AuditFileSink(c.audit.logPath, db, { warn: (m) => log.warn(m), error: (m) => log.error(m) });
      },
    },
    {
      provide: AuditRuntime,
      inject: [CAVE_CONFIG, ProjectionRegistry, AuditWriter, AuditFileSink, CheckpointService, AuditService, MetricsService],
      useFactory: (c: CaveConfig, projections: ProjectionRegistry, writer: AuditWriter, sink: AuditFileSink, cps: CheckpointService, svc: AuditService, m: MetricsService) =>
        new AuditRuntime(projections, writer, sink, cps, svc, c.audit.hmacKey !== undefined, m.registry),
    },
  ],
  exports: [AuditService],
})
export class AuditModule {}
