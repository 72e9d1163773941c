import { fold } from '@cave/kernel';
import type { SignedManifest } from '../contracts/model-package';
import type { ModelEvent } from '../contracts/models.events';
import { ModelCommand, modelDecider } from './model.decider';
import { publisherDecider } from './publisher.decider';

const now = new Date('2026-12-01T12:00:00Z');
const modelId = 'a'.repeat(64);
const signed: SignedManifest = {
  manifest: { name: 'tiny', version: '1', format: 'gguf', sha256: modelId, sizeBytes: 70_000, chunkSize: 65_536, chunks: ['b'.repeat(64), 'c'.repeat(64)], license: 'MIT', publisher: 'd'.repeat(64) },
  signature: 'x'.repeat(86),
};
const storage = { namespace: 'system', bucket: 'cave-models', key: `artifacts/${modelId}` };
const register: ModelCommand = { type: 'register_model', data: { modelId, signed, storage, source: { kind: 'upload' }, now } };

/** given events, when a command: the new events (or the error). */
const given = (events: ModelEvent[]) => ({ when: (c: ModelCommand) => modelDecider.decide(c, fold(modelDecider, events)) });
const registered = modelDecider.decide(register, modelDecider.initialState);
const activate = (namespace: string): ModelCommand => ({ type: 'activate_model', data: { modelId, namespace, now } });

describe('model decider', () => {
  it('registers an upload as registered + verified (its chunks were checked on the way in); the same package again is nothing', () => {
    expect(registered.map((e) => e.type)).toEqual(['model_registered', 'model_verified']);
    expect(given(registered).when(register)).toEqual([]);
    expect(given(registered).when({ ...register, data: { ...register.data, signed: { ...signed, signature: 'y'.repeat(86) } } })).toEqual([]);
  });

  it('refuses the same artifact under another manifest', () => {
    const other = { ...signed, manifest: { ...signed.manifest, version: '2' } };
    expect(() => given(registered).when({ ...register, data: { ...register.data, signed: other } })).toThrow(expect.objectContaining({ code: 'MODELS.MANIFEST_CONFLICT' }));
  });

  it('activates only verified models, once per namespace; a failed verification closes every activation', () => {
    const active = [...registered, ...given(registered).when(activate('acme'))];
    expect(active.slice(-1)[0]).toMatchObject({ type: 'model_activated', data: { name: 'tiny', namespace: 'acme' } });
    expect(given(active).when(activate('acme'))).toEqual([]);
    const failed = [...active, ...given(active).when({ type: 'record_verification', data: { modelId, now, ok: false, code: 'MODELS.CHUNK_HASH_MISMATCH', chunk: 1 } })];
    expect(fold(modelDecider, failed)).toMatchObject({ status: 'failed', activeIn: [] });
    expect(() => given(failed).when(activate('acme'))).toThrow(expect.objectContaining({ code: 'MODELS.NOT_VERIFIED' }));
    expect(given(failed).when({ type: 'deactivate_model', data: { modelId, namespace: 'acme', now } })).toEqual([]);
    // The intact package again repairs it, without re-activating anything.
    const repaired = [...failed, ...given(failed).when(register)];
    expect(repaired.slice(-1)[0].type).toBe('model_verified');
    expect(fold(modelDecider, repaired)).toMatchObject({ status: 'verified', activeIn: [] });
  });

  it('deletes once; every other command on a deleted or absent model is not found', () => {
    const deleted = [...registered, ...given(registered).when({ type: 'delete_model', data: { modelId, now } })];
    expect(given(deleted).when({ type: 'delete_model', data: { modelId, now } })).toEqual([]);
    expect(() => given(deleted).when(activate('acme'))).toThrow(expect.objectContaining({ code: 'MODELS.MODEL_NOT_FOUND' }));
    expect(() => given([]).when({ type: 'delete_model', data: { modelId, now } })).toThrow(expect.objectContaining({ code: 'MODELS.MODEL_NOT_FOUND' }));
    expect(given(deleted).when(register).map((e) => e.type)).toEqual(['model_registered', 'model_verified']);
  });
});

describe('publisher decider', () => {
  const trust = { type: 'trust_publisher' as const, data: { publisherId: 'p', publicKey: 'k', label: null, now } };
  it('trusts once, revokes once, trusts a revoked key anew', () => {
    const trusted = publisherDecider.decide(trust, publisherDecider.initialState);
    expect(trusted.map((e) => e.type)).toEqual(['model_publisher_trusted']);
    const state = fold(publisherDecider, trusted);
    expect(publisherDecider.decide(trust, state)).toEqual([]);
    const revoked = publisherDecider.decide({ type: 'revoke_publisher', data: { publisherId: 'p', now } }, state);
    const after = fold(publisherDecider, [...trusted, ...revoked]);
    expect(publisherDecider.decide({ type: 'revoke_publisher', data: { publisherId: 'p', now } }, after)).toEqual([]);
    expect(publisherDecider.decide(trust, after).map((e) => e.type)).toEqual(['model_publisher_trusted']);
    expect(() => publisherDecider.decide({ type: 'revoke_publisher', data: { publisherId: 'p', now } }, publisherDecider.initialState)).toThrow(
      expect.objectContaining({ code: 'MODELS.PUBLISHER_NOT_FOUND' }),
    );
  });
});
