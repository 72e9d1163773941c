import { ConcurrencyError } from '../store/concurrency.error';
import { AppendOptions, EventStore } from '../store/event-store';
import { AppendResult, RecordedEvent } from '../store/event.types';
import { Decider, fold } from './decider';

export interface RunCommandInput<Command> {
  streamId: string;
  command: Command;
  /** The version the client saw (If-Match); when absent the loaded version is used. */
  expectedVersion?: number;
  /**
   * The command starts a stream whose id was just chosen (e.g. a random UUID, or one derived from the
   * idempotency key). Skips the read: the decider sees the initial state and the append expects
   * `no_stream`, so an existing stream still fails (ConcurrencyError) and an idempotent retry is still
   * answered by the store. One round trip less on the hottest write path.
   */
  newStream?: boolean;
  append: AppendOptions;
}

export interface RunCommandResult<State, Event> {
  state: State;
  /** Events this command produced (empty on an idempotent replay). */
  events: Event[];
  append: AppendResult;
}

/**
 * The one place where a command meets I/O: load the stream, fold, decide, append with the version
 * that was folded. A stale If-Match fails before deciding; a concurrent writer fails the append.
 */
export async function runCommand<Command, State, Event extends { type: string; data: unknown }>(
  store: EventStore,
  decider: Decider<Command, State, Event>,
  input: RunCommandInput<Command>,
  toDomain: (e: RecordedEvent) => Event,
): Promise<RunCommandResult<State, Event>> {
  // With `append.client` the whole command (read, decide, append, inline projection) is one transaction.
  const client = input.append.client;
  if (input.newStream) {
    const fresh = decider.decide(input.command, decider.initialState);
    const append = await store.append(input.streamId, 'no_stream', fresh.map((e) => ({ type: e.type, data: e.data })), input.append);
    if (!append.replayed) return { state: fresh.reduce(decider.evolve, decider.initialState), events: fresh, append };
    const earlier = await store.readStream(input.streamId, { namespace: input.append.namespace, toVersion: append.nextExpectedVersion, client });
    return { state: fold(decider, earlier.map(toDomain)), events: [], append };
  }
  const history = await store.readStream(input.streamId, { namespace: input.append.namespace, client });
  const key = input.append.idempotencyKey;
  // A retry must not re-decide against the state its first attempt already changed.
  const earlier = key === undefined ? undefined : await store.findIdempotentAppend(input.streamId, key, input.append.namespace, client);
  if (earlier) {
    const upTo = history.filter((e) => e.streamVersion <= earlier.nextExpectedVersion);
    return { state: fold(decider, upTo.map(toDomain)), events: [], append: earlier };
  }
  const version = history.length === 0 ? 0 : history[history.length - 1].streamVersion;
  const state = fold(decider, history.map(toDomain));
  if (input.expectedVersion !== undefined && input.expectedVersion !== version) {
    // A stream this namespace cannot see is the decider's to report (usually "not found"): a
    // version error here would tell a caller that guesses ids something about other tenants.
    if (version === 0) decider.decide(input.command, state);
    throw new ConcurrencyError(input.streamId, input.expectedVersion, version);
  }
  const events = decider.decide(input.command, state);
  const append = await store.append(
    input.streamId,
    version === 0 ? 'no_stream' : version,
    events.map((e) => ({ type: e.type, data: e.data })),
    input.append,
  );
  return { state: events.reduce(decider.evolve, state), events, append };
}
