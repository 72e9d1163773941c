import type { PoolClient } from 'pg';
import { Database } from '../database/database';
import { AppendListener, AppendOptions, appendEvents } from './append';
import { AppendResult, ExpectedVersion, NewEvent, RecordedEvent } from './event.types';
import { findIdempotentAppend } from './idempotent-append';
import { readAll, ReadAllFilter, ReadAllOptions, ReadAllResult } from './read-all';
import { readStream, ReadStreamOptions, streamVersion } from './read-stream';
import { UpcasterRegistry } from './upcaster-registry';

export type { AppendListener, AppendOptions, ReadAllFilter, ReadAllOptions, ReadAllResult, ReadStreamOptions };

/**
 * Append-only store of events in PostgreSQL: a thin facade over one file per operation. All writes go
 * through the `cave_append` function (one round trip, one transaction); reads upcast old payloads;
 * global reads follow the commit-safe order (read-all.ts).
 */
export class EventStore {
  private readonly appendListeners: AppendListener[] = [];

  constructor(
    private readonly db: Database,
    private readonly upcasters = new UpcasterRegistry(),
  ) {}

  /** Called after every committed (non-replayed) append; metrics hook in here. */
  onAppend(listener: AppendListener): void {
    this.appendListeners.push(listener);
  }

  append(streamId: string, expected: ExpectedVersion, events: NewEvent[], opts: AppendOptions): Promise<AppendResult> {
    return appendEvents(this.db, this.appendListeners, streamId, expected, events, opts);
  }

  /** Events of one stream in version order, upcast; empty when the stream is not in `namespace`. */
  readStream(streamId: string, opts: ReadStreamOptions): Promise<RecordedEvent[]> {
    return readStream(this.db, this.upcasters, streamId, opts);
  }

  /** The next batch in commit-safe global order after `after`. */
  readAll(opts: ReadAllOptions = {}): Promise<ReadAllResult> {
    return readAll(this.db, this.upcasters, opts);
  }

  /** `event` as a read with upcasting returns it (for an event read with `upcast: false`). */
  upcast(event: RecordedEvent): RecordedEvent {
    return this.upcasters.upcast(event);
  }

  /** The result of an earlier append with this idempotency key, if there was one. */
  findIdempotentAppend(streamId: string, idempotencyKey: string, namespace: string, client?: PoolClient): Promise<AppendResult | undefined> {
    return findIdempotentAppend(this.db, streamId, idempotencyKey, namespace, client);
  }

  /** Current version of a stream (0 when it does not exist in `namespace`). */
  streamVersion(streamId: string, namespace: string): Promise<number> {
    return streamVersion(this.db, streamId, namespace);
  }
}
