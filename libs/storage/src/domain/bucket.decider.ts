import type { Decider } from '@cave/kernel';
import type { BucketEvent } from '../contracts/storage.events';
import { BucketNotEmptyError, BucketNotFoundError } from './storage.errors';

export type BucketCommand =
  | { type: 'create'; bucket: string }
  /** What the bucket still holds, read in the same transaction under the bucket row's lock. */
  | { type: 'delete'; bucket: string; objects: number; uploads: number };

export interface BucketState {
  exists: boolean;
}

export function decideBucket(command: BucketCommand, state: BucketState): BucketEvent[] {
  switch (command.type) {
    case 'create':
      // PUT is idempotent: creating a bucket that exists changes nothing.
      return state.exists ? [] : [{ type: 'bucket_created', data: { bucket: command.bucket } }];
    case 'delete':
      if (!state.exists) throw new BucketNotFoundError(command.bucket);
      if (command.objects > 0 || command.uploads > 0) throw new BucketNotEmptyError(command.bucket, command.objects, command.uploads);
      return [{ type: 'bucket_deleted', data: { bucket: command.bucket } }];
    default: {
      const unknown: never = command;
      throw new Error(`unknown bucket command ${JSON.stringify(unknown)}`);
    }
  }
}

export function evolveBucket(_state: BucketState, event: BucketEvent): BucketState {
  switch (event.type) {
    case 'bucket_created':
      return { exists: true };
    case 'bucket_deleted':
      return { exists: false };
    default: {
      const unknown: never = event;
      throw new Error(`unknown bucket event ${JSON.stringify(unknown)}`);
    }
  }
}

export const bucketDecider: Decider<BucketCommand, BucketState, BucketEvent> = {
  initialState: { exists: false },
  decide: decideBucket,
  evolve: evolveBucket,
};
