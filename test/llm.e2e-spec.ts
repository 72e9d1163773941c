import request from 'supertest';
import { startTestApp, TestApp, writeTinyGguf } from '@cave/testing';
import { createApp } from '../apps/cave-daemon/src/bootstrap/create-app';
import { renderPrompt } from '../libs/llm/src/domain/prompt';
import { directCompletion } from './support/llama-direct';

const ADMIN = 'cave_sk_' + 'l'.repeat(40);

async function issueKey(url: string, namespace: string, role: 'member' | 'admin' = 'member'): Promise<string> {
  const r = await request(url).post('/api/v1/auth/keys').set('authorization', `Bearer ${ADMIN}`).send({ namespace, role, name: `${namespace}-key` }).expect(201);
  return r.body.key as string;
}

describe('llm chat and embeddings (e2e, real node-llama-cpp on a tiny GGUF)', () => {
  let t: TestApp;
  let modelPath: string;
  let key: string;
  const messages = [{ role: 'user', content: 'Hello world' }];

  beforeAll(async () => {
    modelPath = writeTinyGguf();
    t = await startTestApp(createApp, {
      CAVE_BOOTSTRAP_ADMIN_KEY: ADMIN,
      CAVE_LLM_MODEL_FILE: modelPath,
      CAVE_LLM_MODEL_NAME: 'tiny',
      CAVE_LLM_THREADS: '1',
    });
    key = await issueKey(t.url, 'team-a');
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });
  jest.setTimeout(120_000);

  it('answers a whole chat completion with the greedy text node-llama-cpp produces directly', async () => {
    const body = { model: 'tiny', messages, max_tokens: 24, temperature: 0 };
    const r = await request(t.url).post('/api/v1/llm/chat').set('authorization', `Bearer ${key}`).send(body).expect(200);
    expect(r.body).toMatchObject({ object: 'chat.completion', model: 'tiny', provider: 'local', choices: [{ index: 0, finish_reason: 'length', message: { role: 'assistant' } }] });
    expect(r.body.usage.completion_tokens).toBe(24);
    const direct = await directCompletion(modelPath, renderPrompt(messages as never), 24);
    expect(r.body.choices[0].message.content).toBe(direct.text);
    // The writer is deterministic (seeded weights), so the greedy text is known byte for byte.
    expect(direct.text).toBe('a)ATL b t.2 oo a n bVR )9)VR k');
    const again = await request(t.url).post('/api/v1/llm/chat').set('authorization', `Bearer ${key}`).send(body);
    expect(again.body).toMatchObject({ object: 'chat.completion' });
    expect(again.body.choices[0].message.content).toBe(r.body.choices[0].message.content);
  });
});
