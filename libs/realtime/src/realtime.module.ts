import { ClassProvider, DynamicModule, ExistingProvider, FactoryProvider, Logger, Module, ModuleMetadata, ValueProvider } from '@nestjs/common';
import { Database, EventStore } from '@cave/event-store';
import { LogThrottle, MetricsService } from '@cave/observability';
import { RealtimeHub } from './delivery/realtime-hub';
import { EventTail } from './delivery/event-tail';
import { REALTIME_AUTHENTICATOR, RealtimeAuthenticator } from './gateway/realtime-authenticator';
import { RealtimeGateway } from './gateway/realtime.gateway';
import { RealtimeMetrics } from './realtime.metrics';
import { REALTIME_OPTIONS, RealtimeOptions } from './realtime.options';
import { RealtimeService } from './realtime.service';
import { RealtimeTransient } from './transient/realtime-transient';
import { slotLagBytes, slotNameForUrl } from './wal/replication-slot';

export interface RealtimeModuleOptions extends RealtimeOptions {
  /** How to obtain the authenticator; default: REALTIME_AUTHENTICATOR as a module in `imports` exports it. */
  authenticator?: Omit<ClassProvider<RealtimeAuthenticator>, 'provide'> | Omit<ExistingProvider, 'provide'> | Omit<FactoryProvider<RealtimeAuthenticator>, 'provide'>
    | Omit<ValueProvider<RealtimeAuthenticator>, 'provide'>;
  /** Modules that export REALTIME_AUTHENTICATOR (the keys context) or the authenticator's dependencies. */
  imports?: ModuleMetadata['imports'];
}

/** The tail's failures during an outage: the first, then one line per 10 s with the count; one line when it reads again. */
function tailOptions(pollMs: number, logger: Logger) {
  const throttle = new LogThrottle(10_000);
  return {
    pollMs,
    onError: (e: unknown, failedReads: number) => {
      if (throttle.admit('read')) logger.warn({ err: e, failedReads }, 'realtime tail read failed; retrying with backoff');
    },
    onRecover: (failedReads: number, downMs: number) => {
      throttle.clear('read');
      logger.log({ failedReads, downMs }, 'realtime tail reads again');
    },
  };
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
      // Global so contexts can send transient messages (RealtimeTransient) without importing this root module twice.
      global: true,
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
            new EventTail(db, store, tailOptions(options.pollMs ?? 1000, logger)),
        },
        {
          provide: RealtimeHub,
          inject: [Database, EventStore, EventTail, RealtimeMetrics, { token: REALTIME_AUTHENTICATOR, optional: true }],
          useFactory: (db: Database, store: EventStore, tail: EventTail, metrics: RealtimeMetrics, auth?: RealtimeAuthenticator) =>
            new RealtimeHub(db, store, tail, metrics, auth ?? failClosed, { warn: (o, m) => logger.warn(o, m), error: (o, m) => logger.error(o, m) }),
        },
        {
          provide: RealtimeTransient,
          inject: [Database, RealtimeHub],
          useFactory: (db: Database, hub: RealtimeHub) =>
            new RealtimeTransient(
              (db.app as unknown as { options: { connectionString?: string } }).options.connectionString,
              (target, name, payload) => hub.sendTransient(target, name, payload),
              (msg, err) => logger.warn({ err }, msg),
            ),
        },
        RealtimeService,
        RealtimeGateway,
      ],
      exports: [RealtimeService, RealtimeTransient],
    };
  }
}
