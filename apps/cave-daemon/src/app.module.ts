import { DynamicModule, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { AuditModule } from '@cave/audit';
import { CaveConfig, ConfigModule } from '@cave/config';
import { DatabaseUrls, EventStoreModule } from '@cave/event-store';
import { HistoryModule } from '@cave/history';
import { IdempotencyModule } from '@cave/idempotency';
import { KeysModule } from '@cave/keys';
import { LlmModule } from '@cave/llm';
import { McpModule } from '@cave/mcp';
import { ModelsModule } from '@cave/models';
import { ObservabilityModule } from '@cave/observability';
import { PeersModule } from '@cave/peers';
import { ProjectionsModule } from '@cave/projections';
import { RealtimeModule } from '@cave/realtime';
import { SandboxModule } from '@cave/sandbox';
import { StorageModule } from '@cave/storage';
import { HealthModule } from './health/health.module';
import { pinoOptions } from './bootstrap/logging';

/** Composition root: the daemon only wires libraries together. */
@Module({})
export class AppModule {
  static forRoot(config: CaveConfig, db: DatabaseUrls, logDestination?: DestinationStream): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        // With logging off the per-request logger (a child logger, a finish listener, an async context) would
        // cost CPU on every request and never write a line: mount it on no route.
        LoggerModule.forRoot({
          pinoHttp: logDestination ? [pinoOptions(config), logDestination] : pinoOptions(config),
          ...(config.logLevel === 'silent' && { forRoutes: [] }),
        }),
        CqrsModule.forRoot(),
        EventStoreModule.forRoot(db, 20, {
          connectionTimeoutMillis: config.database.connectTimeoutMs,
          statement_timeout: config.database.statementTimeoutMs,
          query_timeout: config.database.queryTimeoutMs,
        }),
        ObservabilityModule,
        ProjectionsModule.forRoot(),
        HealthModule,
        KeysModule,
        AuditModule,
        IdempotencyModule,
        SandboxModule,
        McpModule,
        StorageModule,
        ModelsModule,
        HistoryModule,
        LlmModule.forRoot({ imports: [ModelsModule] }),
        PeersModule.forRoot({ imports: [ModelsModule] }),
        RealtimeModule.forRoot({
          replicationUrl: db.replicationUrl,
          maxConnectionsPerAddress: config.realtime.maxConnectionsPerAddress,
          imports: [KeysModule],
        }),
      ],
    };
  }
}
