import { ClassProvider, DynamicModule, ExistingProvider, FactoryProvider, Logger, Module, ModuleMetadata, ValueProvider } from '@nestjs/common';
import { Database, EventStore } from '@cave/event-store';
import { MetricsService } from '@cave/observability';
import { RealtimeHub } from './delivery/realtime-hub';
import { EventTail } from './delivery/event-tail';
import { REALTIME_AUTHENTICATOR, RealtimeAuthenticator } from './gateway/realtime-authenticator';
import { RealtimeGateway } from './gateway/realtime.gateway';
import { RealtimeMetrics } from './realtime.metrics';
import { REALTIME_OPTIONS, RealtimeOptions } from './realtime.options';
import { RealtimeService } from './realtime.service';
import { slotLagBytes, slotNameForUrl } from './wal/replication-slot';

export interface RealtimeModuleOptions extends RealtimeOptions {
  /** How to obtain the authenticator; default: REALTIME_AUTHENTICATOR as a module in `imports` exports it. */
  authenticator?: Omit<ClassProvider<RealtimeAuthenticator>, 'provide'> | Omit<ExistingProvider, 'provide'> | Omit<FactoryProvider<RealtimeAuthenticator>, 'provide'>
    | Omit<ValueProvider<RealtimeAuthenticator>, 'provide'>;
  /** Modules that export REALTIME_AUTHENTICATOR (the keys context) or the authenticator's dependencies. */
  imports?: ModuleMetadata['imports'];
}

const failClosed: RealtimeAuthenticator = { authenticate: async () => undefined };

/**
 * WAL -> Socket.IO (`/realtime`). REALTIME_AUTHENTICATOR is a port: the keys context implements it and the
 * composition root imports that module here; without one every handshake is refused.
 */
@Module({})
export class RealtimeModule {
  static forRoot(opts: RealtimeModuleOptions): DynamicModule {
    const { authenticator, imports, ...options } = opts;
    const logger = new Logger('Realtime');
    return {
      module: RealtimeModule,
      imports: imports ?? [],
      providers: [
        { provide: REALTIME_OPTIONS, useValue: options },
        // Without an explicit one, the authenticator an imported module exports (the keys context's) is used.
        ...(authenticator ? [{ provide: REALTIME_AUTHENTICATOR, ...authenticator }] : []),
        {
          provide: RealtimeMetrics,
          inject: [MetricsService, Database],
          useFactory: (m: MetricsService, db: Database) =>
            new RealtimeMetrics(m.registry, () => slotLagBytes(db.admin, slotNameForUrl(options.replicationUrl))),
        },
        {
          provide: EventTail,
          inject: [Database, EventStore],
          useFactory: (db: Database, store: EventStore) =>
            new EventTail(db, store, { pollMs: options.pollMs ?? 1000, onError: (e) => logger.warn({ err: e }, 'realtime tail read failed; retrying') }),
        },
        {
          provide: RealtimeHub,
          inject: [Database, EventStore, EventTail, RealtimeMetrics, { token: REALTIME_AUTHENTICATOR, optional: true }],
          useFactory: (db: Database, store: EventStore, tail: EventTail, metrics: RealtimeMetrics, auth?: RealtimeAuthenticator) =>
            new RealtimeHub(db, store, tail, metrics, auth ?? failClosed, { warn: (o, m) => logger.warn(o, m), error: (o, m) => logger.error(o, m) }),
        },
        RealtimeService,
        RealtimeGateway,
      ],
      exports: [RealtimeService],
    };
  }
}
