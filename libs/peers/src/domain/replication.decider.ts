import {
  REPLICATION_CHUNK_FAILED,
  REPLICATION_CHUNKS_STORED,
  REPLICATION_COMPLETED,
  REPLICATION_FAILED,
  REPLICATION_REQUESTED,
  REPLICATION_STARTED,
  ReplicationChunkFailedData,
  ReplicationChunksStoredData,
  ReplicationCompletedData,
  ReplicationFailedData,
  ReplicationRequestedData,
  ReplicationStartedData,
} from '../contracts/peer.events';
import { ReplicationInvalidError, ReplicationNotFoundError } from './peers.errors';

export type ReplicationEvent =
  | { type: typeof REPLICATION_REQUESTED; data: ReplicationRequestedData }
  | { type: typeof REPLICATION_STARTED; data: ReplicationStartedData }
  | { type: typeof REPLICATION_CHUNKS_STORED; data: ReplicationChunksStoredData }
  | { type: typeof REPLICATION_CHUNK_FAILED; data: ReplicationChunkFailedData }
  | { type: typeof REPLICATION_COMPLETED; data: ReplicationCompletedData }
  | { type: typeof REPLICATION_FAILED; data: ReplicationFailedData };

/** The engine reports what happened; the decider keeps a finished job finished. */
export type ReplicationCommand =
  | { type: 'request'; data: ReplicationRequestedData }
  | { type: 'record'; event: Exclude<ReplicationEvent, { type: typeof REPLICATION_REQUESTED }> };

export type ReplicationState =
  | { status: 'absent' }
  | { status: 'pending' | 'running' | 'completed' | 'failed'; jobId: string; storedChunks: ReadonlySet<number> };

const HEX64 = /^[0-9a-f]{64}$/;

export function parseReplicationRequest(artifactSha256: unknown, maxBytesPerSec: unknown): { artifactSha256: string; maxBytesPerSec: number } {
  if (typeof artifactSha256 !== 'string' || !HEX64.test(artifactSha256)) throw new ReplicationInvalidError('artifactSha256 must be 64 lower-case hex digits (the manifest sha256)');
  const max = maxBytesPerSec ?? 0;
  if (typeof max !== 'number' || !Number.isSafeInteger(max) || max < 0) throw new ReplicationInvalidError('maxBytesPerSec must be a non-negative integer');
  return { artifactSha256, maxBytesPerSec: max };
}

export function decideReplication(command: ReplicationCommand, state: ReplicationState): ReplicationEvent[] {
  switch (command.type) {
    case 'request':
      if (state.status !== 'absent') throw new ReplicationNotFoundError(command.data.jobId);
      return [{ type: REPLICATION_REQUESTED, data: command.data }];
    case 'record':
      if (state.status === 'absent') throw new ReplicationNotFoundError(command.event.data.jobId);
      // A finished job takes no further progress (a late batch after a failure is dropped, not an error).
      if (state.status === 'completed' || state.status === 'failed') return [];
      return [command.event];
    default: {
      const unknown: never = command;
      throw new Error(`unknown command ${JSON.stringify(unknown)}`);
    }
  }
}

export function evolveReplication(state: ReplicationState, event: ReplicationEvent): ReplicationState {
  if (event.type === REPLICATION_REQUESTED) return { status: 'pending', jobId: event.data.jobId, storedChunks: new Set() };
  if (state.status === 'absent') return state;
  switch (event.type) {
    case REPLICATION_STARTED:
      return { ...state, status: 'running' };
    case REPLICATION_CHUNKS_STORED:
      return { ...state, storedChunks: new Set([...state.storedChunks, ...event.data.chunks]) };
    case REPLICATION_CHUNK_FAILED:
      return state;
    case REPLICATION_COMPLETED:
      return { ...state, status: 'completed' };
    case REPLICATION_FAILED:
      return { ...state, status: 'failed' };
    default: {
      const unknown: never = event;
      throw new Error(`unknown event ${JSON.stringify(unknown)}`);
    }
  }
}

export const replicationDecider = { initialState: { status: 'absent' } as ReplicationState, decide: decideReplication, evolve: evolveReplication };
