import { BeforeApplicationShutdown, DynamicModule, Global, Injectable, Logger, Module, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { Database, EventStore } from '@cave/event-store';
import { HealthRegistry, MetricsService } from '@cave/observability';
import { ProjectionAdminService } from './admin/projection-admin.service';
import { ProjectionsHealth } from './health/projections.health';
import { ProjectionsAdminController } from './http/projections-admin.controller';
import { StreamsAdminController } from './http/streams-admin.controller';
import { ProjectionMetrics } from './runtime/projection.metrics';
import { ProjectionRegistry } from './runtime/projection.registry';
import { ProjectionRuntime } from './runtime/projection.runtime';
import { StreamFoldRegistry } from './time-travel/stream-fold.registry';
import { StreamStateService } from './time-travel/stream-state.service';

export interface ProjectionsModuleOptions {
  /** Lead and run projections in this process (the daemon); false for the CLI. Default true. */
  run?: boolean;
  instanceId?: string;
  pollMs?: number;
}

export const PROJECTIONS_OPTIONS = Symbol('PROJECTIONS_OPTIONS');

/** Starts the runtime once every module registered its projections; stops it before the pools close. */
@Injectable()
class ProjectionRuntimeHost implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    private readonly runtime: ProjectionRuntime,
    private readonly options: ProjectionsModuleOptions,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.options.run !== false) await this.runtime.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.runtime.stop();
  }
}

/** Puts the projectors under `checks.projections` of /healthz when the app has a health registry. */
@Injectable()
class ProjectionsHealthHost implements OnModuleInit {
  constructor(
    private readonly admin: ProjectionAdminService,
    private readonly health?: HealthRegistry,
  ) {}

  onModuleInit(): void {
    this.health?.register(new ProjectionsHealth(this.admin));
  }
}

/**
 * The projection runtime, admin projection endpoints and time travel. Contexts inject
 * `ProjectionRegistry` / `StreamFoldRegistry` and register theirs in `onModuleInit`.
 */
@Global()
@Module({})
export class ProjectionsModule {
  static forRoot(options: ProjectionsModuleOptions = {}): DynamicModule {
    const logger = new Logger('Projections');
    return {
      module: ProjectionsModule,
      controllers: [ProjectionsAdminController, StreamsAdminController],
      providers: [
        { provide: PROJECTIONS_OPTIONS, useValue: options },
        { provide: ProjectionRegistry, useValue: new ProjectionRegistry() },
        { provide: StreamFoldRegistry, useValue: new StreamFoldRegistry() },
        {
          provide: ProjectionMetrics,
          inject: [{ token: MetricsService, optional: true }],
          useFactory: (m?: MetricsService) => (m ? new ProjectionMetrics(m.registry) : undefined),
        },
        {
          provide: ProjectionRuntime,
          inject: [Database, EventStore, ProjectionRegistry, ProjectionMetrics],
          useFactory: (db: Database, store: EventStore, registry: ProjectionRegistry, metrics?: ProjectionMetrics) =>
            new ProjectionRuntime(db, store, registry, {
              instanceId: options.instanceId,
              pollMs: options.pollMs,
              metrics,
              log: (level, msg, fields) => logger[level === 'info' ? 'log' : level]({ msg, ...fields }),
            }),
        },
        {
          provide: ProjectionRuntimeHost,
          inject: [ProjectionRuntime, PROJECTIONS_OPTIONS],
          useFactory: (runtime: ProjectionRuntime, o: ProjectionsModuleOptions) => new ProjectionRuntimeHost(runtime, o),
        },
        {
          provide: ProjectionAdminService,
          inject: [Database, EventStore, ProjectionRegistry],
          useFactory: (db: Database, store: EventStore, registry: ProjectionRegistry) => new ProjectionAdminService(db, store, registry),
        },
        {
          provide: ProjectionsHealthHost,
          inject: [ProjectionAdminService, { token: HealthRegistry, optional: true }],
          useFactory: (admin: ProjectionAdminService, health?: HealthRegistry) => new ProjectionsHealthHost(admin, health),
        },
        {
          provide: StreamStateService,
          inject: [Database, EventStore, StreamFoldRegistry],
          useFactory: (db: Database, store: EventStore, folds: StreamFoldRegistry) => new StreamStateService(db, store, folds),
        },
      ],
      exports: [ProjectionRegistry, StreamFoldRegistry, ProjectionRuntime, ProjectionAdminService, StreamStateService],
    };
  }
}
