import type { RecordedEvent } from '@cave/event-store';

/** How to fold one stream type into its state: the decider's `initialState` and `evolve`. */
export interface StreamFold<S = unknown> {
  initialState: S;
  evolve(state: S, event: RecordedEvent): S;
}

/**
 * Folds by stream type, filled by the contexts that own them (e.g. the sandbox module registers
 * `sandbox`). Time travel uses it to show any stream as it was at any point.
 */
export class StreamFoldRegistry {
  private readonly folds = new Map<string, StreamFold>();

  register<S>(streamType: string, fold: StreamFold<S>): this {
    if (this.folds.has(streamType)) throw new Error(`a fold for stream type ${streamType} is already registered`);
    this.folds.set(streamType, fold as StreamFold);
    return this;
  }

  get(streamType: string): StreamFold | undefined {
    return this.folds.get(streamType);
  }

  types(): string[] {
    return [...this.folds.keys()].sort();
  }
}
