import { DynamicModule, Global, Module, OnApplicationShutdown } from '@nestjs/common';
import type { PoolConfig } from 'pg';
import { Database, DatabaseUrls } from './database/database';
import { EventStore } from './store/event-store';
import { UpcasterRegistry } from './store/upcaster-registry';

class DatabaseCloser implements OnApplicationShutdown {
  constructor(private readonly db: Database) {}
  async onApplicationShutdown(): Promise<void> {
    await this.db.close();
  }
}

/** Provides the runtime pools, the upcaster registry and the event store. */
@Global()
@Module({})
export class EventStoreModule {
  /** `extra`: pool settings such as the timeouts (defaults: DEFAULT_TIMEOUTS). */
  static forRoot(urls: DatabaseUrls, poolSize = 20, extra: PoolConfig = {}): DynamicModule {
    return {
      module: EventStoreModule,
      providers: [
        { provide: Database, useFactory: () => new Database(urls, poolSize, extra) },
        { provide: UpcasterRegistry, useValue: new UpcasterRegistry() },
        { provide: EventStore, inject: [Database, UpcasterRegistry], useFactory: (db: Database, up: UpcasterRegistry) => new EventStore(db, up) },
        { provide: DatabaseCloser, inject: [Database], useFactory: (db: Database) => new DatabaseCloser(db) },
      ],
      exports: [Database, UpcasterRegistry, EventStore],
    };
  }
}
