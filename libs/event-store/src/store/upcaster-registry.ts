import { RecordedEvent } from './event.types';

/** Turns the payload of `eventType` at `fromVersion` into the shape of `fromVersion + 1`. */
export type Upcaster = (data: unknown, event: RecordedEvent) => unknown;

/**
 * Old payload shapes are upgraded on read, one version step at a time, so history is never rewritten
 * and every reader (aggregates, projections, APIs) sees only the current shape.
 */
export class UpcasterRegistry {
  private readonly steps = new Map<string, Upcaster>();

  register(eventType: string, fromVersion: number, upcaster: Upcaster): this {
    const key = `${eventType}@${fromVersion}`;
    if (this.steps.has(key)) throw new Error(`upcaster for ${key} already registered`);
    this.steps.set(key, upcaster);
    return this;
  }

  upcast<E extends RecordedEvent>(event: E): E {
    let current = event;
    for (;;) {
      const step = this.steps.get(`${current.type}@${current.schemaVersion}`);
      if (!step) return current;
      current = { ...current, data: step(current.data, current), schemaVersion: current.schemaVersion + 1 };
    }
  }
}
