import type { SignedManifest } from '../contracts/model-package';
import {
  MODEL_ACTIVATED,
  MODEL_DEACTIVATED,
  MODEL_DELETED,
  MODEL_REGISTERED,
  MODEL_VERIFICATION_FAILED,
  MODEL_VERIFIED,
  ModelEvent,
  ModelRegisteredData,
} from '../contracts/models.events';
import { manifestSigningBytes } from './manifest.rules';
import { ModelManifestConflictError, ModelNotFoundError, ModelNotVerifiedError } from './models.errors';

/** Every command already passed the package checks (signature, trust, every chunk) where it carries bytes. */
export type ModelCommand =
  | { type: 'register_model'; data: Omit<ModelRegisteredData, 'registeredAt'> & { now: Date } }
  | { type: 'record_verification'; data: { modelId: string; now: Date } & ({ ok: true } | { ok: false; code: string; chunk: number | null }) }
  | { type: 'activate_model'; data: { modelId: string; namespace: string; now: Date } }
  | { type: 'deactivate_model'; data: { modelId: string; namespace: string; now: Date } }
  | { type: 'delete_model'; data: { modelId: string; now: Date } };

export type ModelStatus = 'unverified' | 'verified' | 'failed';

export type ModelState =
  | { status: 'absent' }
  | { status: ModelStatus | 'deleted'; modelId: string; name: string; signed: SignedManifest; activeIn: string[] };

export const initialModelState: ModelState = { status: 'absent' };

const sameManifest = (a: SignedManifest, b: SignedManifest) => manifestSigningBytes(a.manifest).equals(manifestSigningBytes(b.manifest));

export function decideModel(command: ModelCommand, state: ModelState): ModelEvent[] {
  switch (command.type) {
    case 'register_model': {
      const { now, ...d } = command.data;
      const verified: ModelEvent = { type: MODEL_VERIFIED, data: { modelId: d.modelId, chunks: d.signed.manifest.chunks.length, verifiedAt: now.toISOString() } };
      if (state.status === 'absent' || state.status === 'deleted') {
        return [{ type: MODEL_REGISTERED, data: { ...d, registeredAt: now.toISOString() } }, verified];
      }
      if (!sameManifest(state.signed, d.signed)) throw new ModelManifestConflictError(d.modelId);
      // The same package again: nothing new, unless its last check failed, which these freshly checked bytes repair.
      return state.status === 'verified' ? [] : [verified];
    }
    case 'record_verification': {
      const d = command.data;
      const s = live(state, d.modelId);
      if (d.ok) return [{ type: MODEL_VERIFIED, data: { modelId: d.modelId, chunks: s.signed.manifest.chunks.length, verifiedAt: d.now.toISOString() } }];
      return [{ type: MODEL_VERIFICATION_FAILED, data: { modelId: d.modelId, code: d.code, chunk: d.chunk, failedAt: d.now.toISOString() } }];
    }
    case 'activate_model': {
      const d = command.data;
      const s = live(state, d.modelId);
      if (s.status !== 'verified') throw new ModelNotVerifiedError(d.modelId, s.status);
      if (s.activeIn.includes(d.namespace)) return [];
      return [{ type: MODEL_ACTIVATED, data: { modelId: d.modelId, name: s.name, namespace: d.namespace, activatedAt: d.now.toISOString() } }];
    }
    case 'deactivate_model': {
      const d = command.data;
      const s = live(state, d.modelId);
      if (!s.activeIn.includes(d.namespace)) return [];
      return [{ type: MODEL_DEACTIVATED, data: { modelId: d.modelId, namespace: d.namespace, deactivatedAt: d.now.toISOString() } }];
    }
    case 'delete_model': {
      const d = command.data;
      if (state.status === 'absent') throw new ModelNotFoundError(d.modelId);
      // Deleting twice is a no-op: a retried DELETE is safe.
      if (state.status === 'deleted') return [];
      return [{ type: MODEL_DELETED, data: { modelId: d.modelId, deletedAt: d.now.toISOString() } }];
    }
    default: {
      const unknown: never = command;
      throw new Error(`unknown command ${JSON.stringify(unknown)}`);
    }
  }
}

function live(state: ModelState, modelId: string): Exclude<ModelState, { status: 'absent' }> & { status: ModelStatus } {
  if (state.status === 'absent' || state.status === 'deleted') throw new ModelNotFoundError(modelId);
  return state as Exclude<ModelState, { status: 'absent' }> & { status: ModelStatus };
}

/**
 * A failed verification or a deletion closes the model everywhere (its activations end with it): a namespace
 * never keeps serving bytes that no longer match their manifest.
 */
export function evolveModel(state: ModelState, event: ModelEvent): ModelState {
  switch (event.type) {
    case MODEL_REGISTERED:
      return { status: 'unverified', modelId: event.data.modelId, name: event.data.signed.manifest.name, signed: event.data.signed, activeIn: [] };
    case MODEL_VERIFIED:
      return state.status === 'absent' ? state : { ...state, status: 'verified' };
    case MODEL_VERIFICATION_FAILED:
      return state.status === 'absent' ? state : { ...state, status: 'failed', activeIn: [] };
    case MODEL_ACTIVATED:
      return state.status === 'absent' ? state : { ...state, activeIn: [...state.activeIn, event.data.namespace] };
    case MODEL_DEACTIVATED:
      return state.status === 'absent' ? state : { ...state, activeIn: state.activeIn.filter((n) => n !== event.data.namespace) };
    case MODEL_DELETED:
      return state.status === 'absent' ? state : { ...state, status: 'deleted', activeIn: [] };
    default: {
      const unknown: never = event;
      throw new Error(`unknown event ${JSON.stringify(unknown)}`);
    }
  }
}

export const modelDecider = { initialState: initialModelState, decide: decideModel, evolve: evolveModel };
