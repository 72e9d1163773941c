import { DynamicModule, Global, Module, OnApplicationShutdown } from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';
import type { PoolConfig } from 'pg';
import { CommandRunner } from './commands/command-runner';
import { Database, DatabaseUrls } from './database/database';
import { EventStore } from './store/event-store';
import { UpcasterRegistry } from './store/upcaster-registry';

class DatabaseCloser implements OnApplicationShutdown {
  constructor(private readonly db: Database) {}
  async onApplicationShutdown(): Promise<void> {
    await this.db.close();
  }
}

/** Provides the runtime pools, the upcaster registry, the event store and the command pipeline. */
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
        {
          provide: CommandRunner,
          inject: [Database, EventStore, { token: EventBus, optional: true }],
          useFactory: (db: Database, store: EventStore, bus?: EventBus) => new CommandRunner(db, store, bus),
        },
        { provide: DatabaseCloser, inject: [Database], useFactory: (db: Database) => new DatabaseCloser(db) },
      ],
      exports: [Database, UpcasterRegistry, EventStore, CommandRunner],
    };
  }
}
