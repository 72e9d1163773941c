export { CommandRunner } from './commands/command-runner';
export type { CommandInput, CommandOutcome, CommandStream, DomainEvent } from './commands/command-runner';
export { EventCommitted } from './commands/event-committed.notification';
export { assertNamespace, Database } from './database/database';
export type { DatabaseUrls } from './database/database';
export { startEmbeddedPostgres } from './database/embedded-postgres.launcher';
export type { EmbeddedPostgresHandle, EmbeddedPostgresOptions } from './database/embedded-postgres.launcher';
export { MIGRATIONS_TABLE, pendingMigrations, runMigrations } from './database/migrator';
export { executeBatch } from './database/prepared-batch';
export type { BatchItem } from './database/prepared-batch';
export { StatementBatcher } from './database/statement-batcher';
export type { BatcherStats, StatementBatcherOptions } from './database/statement-batcher';
export { prepareDatabase } from './database/prepare-database';
export type { PreparedDatabase, PrepareOptions } from './database/prepare-database';
export { provisionRoleLogins, roleUrl } from './database/role-credentials';
export type { RuntimeRole } from './database/role-credentials';
export { EventStoreModule } from './event-store.module';
export { ConcurrencyError } from './store/concurrency.error';
export { compareCursors, decodeCursor, encodeCursor, InvalidCursorError, START } from './store/event-cursor';
export type { EventCursor } from './store/event-cursor';
export { EventStore, preparedStatement, projectionAt } from './store/event-store';
export type {
  AppendListener,
  AppendOptions,
  EventPosition,
  InlineProjection,
  ReadAllFilter,
  ReadAllOptions,
  ReadAllResult,
  ReadStreamOptions,
  SqlStatement,
} from './store/event-store';
export type { AppendResult, EventMetadata, ExpectedVersion, NewEvent, RecordedEvent } from './store/event.types';
export { UpcasterRegistry } from './store/upcaster-registry';
export type { Upcaster } from './store/upcaster-registry';
export { publicEventData, REDACTED, registerSensitiveFields } from './store/sensitive-fields';
export { toEventView } from './store/event-view';
export type { EventView } from './store/event-view';
