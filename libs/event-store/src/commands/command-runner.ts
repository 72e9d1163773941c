import { Injectable, Logger, Optional } from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';
import type { PoolClient } from 'pg';
import { CommandMeta, Decider, fold } from '@cave/kernel';
import { Database } from '../database/database';
import { ConcurrencyError } from '../store/concurrency.errors';
import type { AppendOptions } from '../store/append';
import { EventStore } from '../store/event-store';
import type { InlineProjection } from '../store/inline-projection';
import { AppendResult, RecordedEvent } from '../store/event.types';
import { EventCommitted } from './event-committed.notification';

export interface DomainEvent {
  type: string;
  data: unknown;
}

/** What a context declares once per aggregate: its decider, stream type and how stored events read back. */
export interface CommandStream<Command, State, Event extends DomainEvent> {
  decider: Decider<Command, State, Event>;
  streamType: string;
  /** A stored event of this stream as a domain event; throws on one that does not belong here. */
  toEvent(e: RecordedEvent): Event;
}

/** `toEvent` for a stream without upcasters: the stored type and data as the decider's event. */
export function asDomainEvent<E extends DomainEvent>(e: RecordedEvent): E {
  return { type: e.type, data: e.data } as E;
}

export interface CommandInput<Command, Event, Row> {
  streamId: string;
  command: Command;
  meta: CommandMeta;
  /** The stream's namespace when it is not the caller's (an admin acting on a tenant's stream). */
  namespace?: string;
  /** The version the client saw (If-Match); when absent the loaded version is used. */
  expectedVersion?: number;
  /**
   * The command starts a stream whose id was just chosen (a random UUID, or one derived from the
   * idempotency key). Skips the read: the decider sees the initial state and the append expects
   * `no_stream`, so an existing stream still fails (ConcurrencyError) and an idempotent retry is still
   * answered by the store. In a tenant transaction the append is then the whole command: one statement,
   * one round trip, on the hottest write path.
   */
  newStream?: boolean;
  /**
   * `tenant` (default): as `cave_app` under RLS in the stream's namespace. `admin`: as `cave_admin`, for
   * writes the runtime role must never be able to make (issuing keys).
   */
  transaction?: 'tenant' | 'admin';
  /** How often a ConcurrencyError reads and decides again (0: the caller sees it, as 409/412). */
  retries?: number;
  /**
   * The read-model write for the command's event, run in the append's own statement (same transaction, no
   * extra round trip). Applies when the command decides exactly one event; the outcome's `projected` is the
   * row it returned, mapped by the projection's `toRow`.
   */
  project?: (event: Event) => InlineProjection<Row>;
  /** Run inside the caller's open transaction instead of one of the runner's own (it must match `transaction`). */
  client?: PoolClient;
}

export interface CommandOutcome<State, Event, Row> {
  state: State;
  /** Events this command produced (empty on an idempotent replay or a decision to do nothing). */
  events: Event[];
  /** What the store answered; undefined when the decider decided nothing, so nothing was appended. */
  append?: AppendResult;
  /** The inline projection's row; undefined on a replay (nothing was written). */
  projected?: Row;
}

/**
 * The one command pipeline every context uses: read the stream, fold, decide and append with the version
 * that was folded (an inline projection rides in the append's statement; a caller's client or an admin command
 * puts both in one transaction, a tenant command needs none: the append checks the version); on a
 * concurrent writer retry as often as asked; after the commit log the command and publish `EventCommitted`
 * on the in-process bus. A stale If-Match fails before deciding; a concurrent writer fails the append.
 */
@Injectable()
export class CommandRunner {
  private readonly logger = new Logger('Commands');

  constructor(
    private readonly db: Database,
    private readonly store: EventStore,
    @Optional() private readonly eventBus?: EventBus,
  ) {}

  async run<Command, State, Event extends DomainEvent, Row = never>(
    stream: CommandStream<Command, State, Event>,
    input: CommandInput<Command, Event, Row>,
  ): Promise<CommandOutcome<State, Event, Row>> {
    const namespace = input.namespace ?? input.meta.namespace;
    const retries = input.retries ?? 0;
    for (let attempt = 0; ; attempt++) {
      try {
        const outcome = await this.transaction(input, (client) => this.decideAndAppend(stream, input, namespace, client));
        this.afterCommit(stream.streamType, input, namespace, outcome);
        return outcome;
      } catch (e) {
        if (e instanceof ConcurrencyError && attempt < retries) continue;
        throw e;
      }
    }
  }

  private transaction<T>(input: Pick<CommandInput<unknown, unknown, unknown>, 'client' | 'transaction'>, fn: (client?: PoolClient) => Promise<T>): Promise<T> {
    if (input.client) return fn(input.client);
    if (input.transaction === 'admin') return this.db.asAdmin(fn);
    // No transaction around a tenant command: the read is one statement (one round trip, one snapshot) and the append
    // is one statement that checks the version it was decided on, so the append is the only guard either way (a
    // transaction's READ COMMITTED read held no lock). Two round trips instead of four (begin, read, append, commit);
    // a new stream's command is the append alone. cave_append pins the namespace.
    return fn(undefined);
  }

  private async decideAndAppend<Command, State, Event extends DomainEvent, Row>(
    { decider, streamType, toEvent }: CommandStream<Command, State, Event>,
    input: CommandInput<Command, Event, Row>,
    namespace: string,
    client: PoolClient | undefined,
  ): Promise<CommandOutcome<State, Event, Row>> {
    const { streamId, meta } = input;
    const options: AppendOptions = {
      namespace,
      streamType,
      actor: meta.actor,
      correlationId: meta.correlationId,
      causationId: meta.causationId,
      idempotencyKey: meta.idempotencyKey,
      channel: meta.channel,
      client,
    };
    const append = async (expected: 'no_stream' | number, events: Event[]) => {
      const projection = input.project && events.length === 1 ? input.project(events[0]) : undefined;
      const result = await this.store.append(streamId, expected, events.map((e) => ({ type: e.type, data: e.data })), { ...options, projection });
      return { result, projected: projection && result.projected ? projection.toRow(result.projected) : undefined };
    };
    if (input.newStream) {
      const fresh = decider.decide(input.command, decider.initialState);
      const { result, projected } = await append('no_stream', fresh);
      if (!result.replayed) return { state: fresh.reduce(decider.evolve, decider.initialState), events: fresh, append: result, projected };
      const earlier = await this.store.readStream(streamId, { namespace, toVersion: result.nextExpectedVersion, client });
      return { state: fold(decider, earlier.map(toEvent)), events: [], append: result };
    }
    const history = await this.store.readStream(streamId, { namespace, client });
    // A retry must not re-decide against the state its first attempt already changed.
    const key = meta.idempotencyKey;
    const earlier = key === undefined ? undefined : await this.store.findIdempotentAppend(streamId, key, namespace, client);
    if (earlier) {
      const upTo = history.filter((e) => e.streamVersion <= earlier.nextExpectedVersion);
      return { state: fold(decider, upTo.map(toEvent)), events: [], append: earlier };
    }
    const version = history.length === 0 ? 0 : history[history.length - 1].streamVersion;
    const state = fold(decider, history.map(toEvent));
    if (input.expectedVersion !== undefined && input.expectedVersion !== version) {
      // A stream this namespace cannot see is the decider's to report (usually "not found"): a
      // version error here would tell a caller that guesses ids something about other tenants.
      if (version === 0) decider.decide(input.command, state);
      throw new ConcurrencyError(streamId, input.expectedVersion, version);
    }
    const events = decider.decide(input.command, state);
    // A decision to do nothing (revoking a revoked key) appends nothing.
    if (events.length === 0) return { state, events };
    const { result, projected } = await append(version === 0 ? 'no_stream' : version, events);
    return { state: events.reduce(decider.evolve, state), events, append: result, projected };
  }

  /** Once the command's transaction committed: never for a rollback, once per command however often it retried. */
  private afterCommit(
    streamType: string,
    input: { streamId: string; meta: CommandMeta; client?: PoolClient },
    namespace: string,
    { events, append }: { events: DomainEvent[]; append?: AppendResult },
  ): void {
    if (events.length === 0 || !append) return;
    const { meta, streamId } = input;
    const notify = () => {
      this.logger.log({
        msg: 'command committed',
        namespace,
        streamType,
        streamId,
        events: events.map((e) => e.type),
        version: append.nextExpectedVersion,
        actor: meta.actor,
        correlationId: meta.correlationId,
      });
      const first = append.nextExpectedVersion - events.length + 1;
      for (const [i, event] of events.entries()) {
        this.eventBus?.publish(new EventCommitted(namespace, streamType, streamId, event, first + i, append.globalPositions[i], meta));
      }
    };
    // In a caller's transaction the events are not committed yet.
    if (input.client) this.db.afterCommit(input.client, notify);
    else notify();
  }
}
