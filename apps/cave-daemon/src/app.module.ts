import { DynamicModule, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { LoggerModule } from 'nestjs-pino';
import { CaveConfig, ConfigModule } from '@cave/config';
import { DatabaseUrls, EventStoreModule } from '@cave/event-store';
import { ObservabilityModule } from '@cave/observability';
import { RealtimeModule } from '@cave/realtime';
import { HealthModule } from './health/health.module';
import { pinoOptions } from './bootstrap/logging';

/** Composition root: the daemon only wires libraries together. */
@Module({})
export class AppModule {
  static forRoot(config: CaveConfig, db: DatabaseUrls): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot({ pinoHttp: pinoOptions(config) }),
        CqrsModule.forRoot(),
        EventStoreModule.forRoot(db),
        ObservabilityModule,
        HealthModule,
        RealtimeModule.forRoot({ replicationUrl: db.replicationUrl }),
      ],
    };
  }
}
