import { loadConfig } from '@cave/config';
import type { ActiveModels } from '@cave/models';
import { ModelNotFoundError } from '../domain/llm.errors';
import { LlamaHost } from './local/llama-host';
import { ModelRouter } from './model-router';

const manifest = { name: 'reg', version: '1', format: 'gguf' as const, sha256: 'a'.repeat(64), sizeBytes: 1, chunkSize: 65536, chunks: ['a'.repeat(64)], license: 'MIT', publisher: 'b'.repeat(64) };

describe('ModelRouter', () => {
  const config = loadConfig({
    CAVE_LLM_MODELS: JSON.stringify({ both: [{ kind: 'openai-compatible', baseUrl: 'http://user:secret@10.0.0.1:8080/v1', model: 'x' }, { kind: 'local', path: '/m.gguf' }], mine: { providers: [{ kind: 'local', path: '/m.gguf' }], namespaces: ['a'] } }),
  });
  const active: ActiveModels = { resolve: async (ns, name) => (ns === 'a' && name === 'reg' ? { manifest, localPath: '/models/reg.gguf' } : undefined) };
  const router = new ModelRouter(config, new LlamaHost({ threads: 1, contextSize: 64, parallel: 1, window: 4, coalesceMs: 0 }), active);

  it('maps an alias to its providers in order, with labels that carry no credentials', async () => {
    const r = await router.resolve('any', 'both');
    expect(r.providers.map((p) => [p.kind, p.label])).toEqual([
      ['openai-compatible', 'openai-compatible:10.0.0.1:8080'],
      ['local', 'local'],
    ]);
  });

  it('serves a registered model only where the registry activated it; everything else is 404', async () => {
    expect((await router.resolve('a', 'reg')).providers.map((p) => p.label)).toEqual(['local:reg@1']);
    await expect(router.resolve('b', 'reg')).rejects.toBeInstanceOf(ModelNotFoundError);
    await expect(router.resolve('b', 'mine')).rejects.toBeInstanceOf(ModelNotFoundError);
    expect((await router.resolve('a', 'mine')).providers).toHaveLength(1);
    await expect(new ModelRouter(config, new LlamaHost({ threads: 1, contextSize: 64, parallel: 1, window: 4, coalesceMs: 0 })).resolve('a', 'reg')).rejects.toBeInstanceOf(ModelNotFoundError);
  });
});
