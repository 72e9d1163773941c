import type { Decider } from '@cave/kernel';
import type { ObjectEvent, ObjectStoredData } from '../contracts/storage.events';
import { etagListMatches } from './etag';
import { ObjectNotFoundError, ObjectPreconditionFailedError } from './storage.errors';

export interface Preconditions {
  ifMatch?: string[];
  ifNoneMatch?: string[];
}

export type ObjectCommand =
  | { type: 'store'; data: Omit<ObjectStoredData, 'version'>; preconditions: Preconditions }
  | { type: 'delete'; bucket: string; key: string; preconditions: Preconditions };

export interface ObjectState {
  /** Events in the stream so far: the next event's version is this + 1. */
  events: number;
  current?: { sha256: string; size: number };
}

export const initialObjectState: ObjectState = { events: 0 };

/** RFC 9110 13.2.2 order: If-Match first, then If-None-Match. Checked against the state the append is based on. */
export function checkPreconditions(p: Preconditions, currentSha256: string | undefined): void {
  if (p.ifMatch !== undefined && !etagListMatches(p.ifMatch, currentSha256)) throw new ObjectPreconditionFailedError('If-Match');
  if (p.ifNoneMatch !== undefined && etagListMatches(p.ifNoneMatch, currentSha256)) throw new ObjectPreconditionFailedError('If-None-Match');
}

export function decideObject(command: ObjectCommand, state: ObjectState): ObjectEvent[] {
  switch (command.type) {
    case 'store':
      checkPreconditions(command.preconditions, state.current?.sha256);
      return [{ type: 'object_stored', data: { ...command.data, version: state.events + 1 } }];
    case 'delete':
      if (state.current === undefined) throw new ObjectNotFoundError(command.bucket, command.key);
      checkPreconditions(command.preconditions, state.current.sha256);
      return [{ type: 'object_deleted', data: { bucket: command.bucket, key: command.key, version: state.events + 1 } }];
    default: {
      const unknown: never = command;
      throw new Error(`unknown object command ${JSON.stringify(unknown)}`);
    }
  }
}

export function evolveObject(state: ObjectState, event: ObjectEvent): ObjectState {
  switch (event.type) {
    case 'object_stored':
      return { events: state.events + 1, current: { sha256: event.data.sha256, size: event.data.size } };
    case 'object_deleted':
      return { events: state.events + 1 };
    default: {
      const unknown: never = event;
      throw new Error(`unknown object event ${JSON.stringify(unknown)}`);
    }
  }
}

export const objectDecider: Decider<ObjectCommand, ObjectState, ObjectEvent> = {
  initialState: initialObjectState,
  decide: decideObject,
  evolve: evolveObject,
};
