import type { ObjectView } from '../../projections/storage.read-model';

/** The bytes of an object whose metadata the caller already read (GetObjectQuery), optionally one range. */
export class OpenObjectQuery {
  constructor(
    readonly object: ObjectView,
    readonly range?: { start: number; end: number },
  ) {}
}
