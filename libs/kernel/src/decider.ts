/**
 * An aggregate as a pure decider (Chassaing's pattern, as in Emmett): all behaviour is
 * `decide` (command + state -> new events) and `evolve` (state + event -> state). No I/O.
 */
export interface Decider<Command, State, Event extends { type: string }> {
  initialState: State;
  decide(command: Command, state: State): Event[];
  evolve(state: State, event: Event): State;
}

/** Folds events into state. */
export function fold<State, Event extends { type: string }>(
  decider: Pick<Decider<unknown, State, Event>, 'evolve' | 'initialState'>,
  events: Iterable<Event>,
): State {
  let state = decider.initialState;
  for (const e of events) state = decider.evolve(state, e);
  return state;
}
