import { EventStore, RecordedEvent } from '@cave/event-store';
import { createTestDatabase, TestDatabase } from '@cave/testing';
import { MODEL_STREAM_TYPE, ModelEvent, MODELS_NAMESPACE, modelStreamId } from '../contracts/models.events';
import type { SignedManifest } from '../contracts/model-package';
import { modelsProjection } from './models.projection';
import { modelsReadModel } from './models.read-model';

/**
 * The live track of the `models` projector replays events the commands already applied inline: it must skip
 * them (a replayed activation would serve a model that was deactivated since) and apply only what a row lacks.
 */
describe('models projector (real Postgres)', () => {
  let t: TestDatabase;
  let store: EventStore;

  beforeAll(async () => {
    t = await createTestDatabase();
    store = new EventStore(t.db);
  });
  afterAll(() => t.drop());

  const signed = (name: string, id: string): SignedManifest => ({
    manifest: { name, version: '1', format: 'gguf', sha256: id, sizeBytes: 10, chunkSize: 10, chunks: [id], license: 'MIT', publisher: 'p' },
    signature: 'sig',
  });
  const lifecycle = (id: string, name: string): ModelEvent[] => [
    { type: 'model_registered', data: { modelId: id, signed: signed(name, id), storage: { namespace: 'system', bucket: 'cave-models', key: id }, source: { kind: 'upload' }, registeredAt: '2026-01-01T00:00:00Z' } },
    { type: 'model_verified', data: { modelId: id, chunks: 1, verifiedAt: '2026-01-01T00:00:01Z' } },
    { type: 'model_activated', data: { modelId: id, name, namespace: 'acme', activatedAt: '2026-01-01T00:00:02Z' } },
    { type: 'model_deactivated', data: { modelId: id, namespace: 'acme', deactivatedAt: '2026-01-01T00:00:03Z' } },
  ];
  const applyInline = (events: RecordedEvent[]) =>
    t.db.asAdmin(async (c) => {
      for (const e of events) await modelsReadModel.apply(c, { type: e.type, data: e.data } as ModelEvent, e.streamVersion, e.metadata.actor ?? null);
    });
  const live = { rebuilding: false, table: (n: string) => n };
  const rows = async () =>
    t.db.asAdmin(async (c) => ({
      models: (await c.query<{ name: string; status: string; stream_version: number }>('select name, status, stream_version from models order by name')).rows,
      activations: (await c.query<{ namespace: string; name: string }>('select namespace, name from model_activations order by name')).rows,
    }));

  it('skips what the commands applied inline and heals what a row lacks', async () => {
    const [applied, missing] = ['a'.repeat(64), 'b'.repeat(64)];
    for (const [id, name] of [[applied, 'applied'], [missing, 'missing']]) {
      await store.append(modelStreamId(id), 'no_stream', lifecycle(id, name), { namespace: MODELS_NAMESPACE, streamType: MODEL_STREAM_TYPE, actor: 'key-1' });
    }
    const all = (await store.readAll({ limit: 100 })).events.filter((e) => e.streamType === MODEL_STREAM_TYPE);
    // `applied` is fully in its tables (activated, then deactivated); `missing` has no row at all.
    await applyInline(all.filter((e) => (e.data as { modelId: string }).modelId === applied));
    const projection = modelsProjection();

    // A batch that ends on the activation (the deactivation is in the next one) must not bring it back.
    const upToActivation = all.filter((e) => e.type !== 'model_deactivated');
    await t.db.asAdmin((c) => projection.handle(upToActivation, c, live));
    expect((await rows()).activations).toEqual([{ namespace: 'acme', name: 'missing' }]);

    await t.db.asAdmin((c) => projection.handle(all, c, live));
    expect(await rows()).toEqual({
      models: [
        { name: 'applied', status: 'verified', stream_version: 4 },
        { name: 'missing', status: 'verified', stream_version: 4 },
      ],
      activations: [],
    });
  });
});
