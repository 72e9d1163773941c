import type { Decider } from '@cave/kernel';
import { InvalidPartsError, UploadNotFoundError, UploadNotOpenError } from './storage.errors';

export const MAX_PARTS = 10_000;

export interface PartData {
  partNumber: number;
  size: number;
  sha256: string;
  blob: string;
}

export type UploadEvent =
  | { type: 'multipart_upload_created'; data: { uploadId: string; bucket: string; key: string; contentType: string } }
  | { type: 'multipart_part_uploaded'; data: { uploadId: string } & PartData }
  | { type: 'multipart_upload_completed'; data: { uploadId: string; parts: number[]; size: number; sha256: string } }
  | { type: 'multipart_upload_aborted'; data: { uploadId: string } };

export const UPLOAD_EVENT_TYPES = ['multipart_upload_created', 'multipart_part_uploaded', 'multipart_upload_completed', 'multipart_upload_aborted'];

export type UploadCommand =
  | { type: 'create'; uploadId: string; bucket: string; key: string; contentType: string }
  | { type: 'upload_part'; uploadId: string; part: PartData }
  | { type: 'complete'; uploadId: string; parts: number[]; size: number; sha256: string }
  | { type: 'abort'; uploadId: string };

export type UploadState =
  | { status: 'absent' }
  | { status: 'open' | 'completed' | 'aborted'; bucket: string; key: string; contentType: string; parts: Map<number, PartData> };

/** The parts a completion names, in order, or every uploaded part in part-number order when it names none. */
export function partsToComplete(state: UploadState, requested: number[] | undefined): PartData[] {
  if (state.status === 'absent') return [];
  const numbers = requested ?? [...state.parts.keys()].sort((a, b) => a - b);
  if (numbers.length === 0) throw new InvalidPartsError('no parts were uploaded');
  for (let i = 1; i < numbers.length; i++) if (numbers[i] <= numbers[i - 1]) throw new InvalidPartsError('part numbers must be ascending');
  return numbers.map((n) => {
    const p = state.parts.get(n);
    if (!p) throw new InvalidPartsError(`part ${n} was not uploaded`);
    return p;
  });
}

export type KnownUpload = Exclude<UploadState, { status: 'absent' }>;

function open(state: UploadState, uploadId: string): KnownUpload {
  if (state.status === 'absent') throw new UploadNotFoundError(uploadId);
  if (state.status !== 'open') throw new UploadNotOpenError(uploadId, state.status);
  return state;
}

export function decideUpload(command: UploadCommand, state: UploadState): UploadEvent[] {
  switch (command.type) {
    case 'create': {
      const { uploadId, bucket, key, contentType } = command;
      return [{ type: 'multipart_upload_created', data: { uploadId, bucket, key, contentType } }];
    }
    case 'upload_part': {
      const { uploadId, part } = command;
      open(state, uploadId);
      if (!Number.isInteger(part.partNumber) || part.partNumber < 1 || part.partNumber > MAX_PARTS) throw new InvalidPartsError(`part numbers are 1..${MAX_PARTS}`);
      return [{ type: 'multipart_part_uploaded', data: { uploadId, ...part } }];
    }
    case 'complete':
      partsToComplete(open(state, command.uploadId), command.parts);
      return [{ type: 'multipart_upload_completed', data: { uploadId: command.uploadId, parts: command.parts, size: command.size, sha256: command.sha256 } }];
    case 'abort':
      open(state, command.uploadId);
      return [{ type: 'multipart_upload_aborted', data: { uploadId: command.uploadId } }];
    default: {
      const unknown: never = command;
      throw new Error(`unknown upload command ${JSON.stringify(unknown)}`);
    }
  }
}

export function evolveUpload(state: UploadState, event: UploadEvent): UploadState {
  switch (event.type) {
    case 'multipart_upload_created':
      return { status: 'open', bucket: event.data.bucket, key: event.data.key, contentType: event.data.contentType, parts: new Map() };
    case 'multipart_part_uploaded': {
      if (state.status === 'absent') return state;
      const { uploadId: _id, ...part } = event.data;
      return { ...state, parts: new Map(state.parts).set(part.partNumber, part) };
    }
    case 'multipart_upload_completed':
      return state.status === 'absent' ? state : { ...state, status: 'completed' };
    case 'multipart_upload_aborted':
      return state.status === 'absent' ? state : { ...state, status: 'aborted' };
    default: {
      const unknown: never = event;
      throw new Error(`unknown upload event ${JSON.stringify(unknown)}`);
    }
  }
}

export const uploadDecider: Decider<UploadCommand, UploadState, UploadEvent> = {
  initialState: { status: 'absent' },
  decide: decideUpload,
  evolve: evolveUpload,
};
