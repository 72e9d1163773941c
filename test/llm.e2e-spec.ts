import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { request as httpRequest, Server } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { connect, createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import request from 'supertest';
import { startTestApp, TestApp, TINY_GGUF_EMBEDDING_LENGTH, waitFor, writeTinyGguf } from '@cave/testing';
import { createApp } from '../apps/cave-daemon/src/bootstrap/create-app';
import { renderPrompt } from '../libs/llm/src/domain/prompt';
import { directCompletion } from './support/llama-direct';
import { OpenAiCompatibleServer, UPSTREAM_CHUNKS, UPSTREAM_DIMENSIONS } from './support/openai-compatible-server';
import { RealtimeTestClient } from './support/realtime-client';

const ADMIN = 'cave_sk_' + 'l'.repeat(40);
const CONTEXT = 4096;

async function issueKey(url: string, namespace: string): Promise<string> {
  const r = await request(url).post('/api/v1/auth/keys').set('authorization', `Bearer ${ADMIN}`).send({ namespace, role: 'member', name: `${namespace}-key` }).expect(201);
  return r.body.key as string;
}

interface ChatEvent {
  streamId: string;
  data: Record<string, unknown> & { chatId: string; provider: string; fallbacks: { provider: string; error: string }[]; completionTokens: number; finishReason: string };
}

/** The chat_completed event of `chatId`, once it is there (the namespace's own log, as a member reads it). */
async function chatEvent(url: string, key: string, chatId: string): Promise<ChatEvent> {
  return waitFor(async () => {
    const r = await request(url).get(`/api/v1/events?streamId=llm_chat-${chatId}&type=chat_completed`).set('authorization', `Bearer ${key}`).expect(200);
    return r.body.items[0] as ChatEvent | undefined;
  }, 15_000, `chat_completed of ${chatId}`);
}

describe('llm chat and embeddings (e2e, real node-llama-cpp on a tiny GGUF, real openai client)', () => {
  let t: TestApp;
  let modelPath: string;
  let a: string;
  let b: string;
  const fail = new OpenAiCompatibleServer('fail');
  const hang = new OpenAiCompatibleServer('hang');
  const stream = new OpenAiCompatibleServer('stream');
  const messages = [{ role: 'user' as const, content: 'Hello world' }];
  const client = (key: string) => new OpenAI({ apiKey: key, baseURL: `${t.url}/api/v1/llm`, maxRetries: 0 });

  beforeAll(async () => {
    modelPath = writeTinyGguf({ contextLength: CONTEXT });
    await Promise.all([fail.start(), hang.start(), stream.start()]);
    const local = { kind: 'local', path: modelPath };
    const up = (s: OpenAiCompatibleServer) => ({ kind: 'openai-compatible', baseUrl: s.url, model: 'upstream-model' });
    t = await startTestApp(createApp, {
      CAVE_BOOTSTRAP_ADMIN_KEY: ADMIN,
      CAVE_LLM_MODEL_FILE: modelPath,
      CAVE_LLM_MODEL_NAME: 'tiny',
      CAVE_LLM_THREADS: '1',
      CAVE_LLM_CONTEXT_SIZE: String(CONTEXT),
      CAVE_LLM_FIRST_TOKEN_TIMEOUT_MS: '700',
      CAVE_LLM_MAX_TOKENS: '4000',
      CAVE_LLM_MODELS: JSON.stringify({
        fb: [up(fail), up(hang), local],
        up: [up(fail), up(stream)],
        dead: [up(fail), up(hang)],
        'team-a-only': { providers: [local], namespaces: ['team-a'] },
      }),
      CAVE_LLM_NAMESPACE_POLICIES: JSON.stringify({ 'team-q': { tokensPerDay: 30 }, 'team-s': { storeText: true }, 'team-small': { maxTokens: 8 } }),
    });
    [a, b] = await Promise.all([issueKey(t.url, 'team-a'), issueKey(t.url, 'team-b')]);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await Promise.all([fail.close(), hang.close(), stream.close()]);
  });
  jest.setTimeout(120_000);

  it('answers a whole chat completion with the greedy text node-llama-cpp produces directly', async () => {
    const body = { model: 'tiny', messages, max_tokens: 24, temperature: 0 };
    const r = await request(t.url).post('/api/v1/llm/chat').set('authorization', `Bearer ${a}`).send(body).expect(200);
    expect(r.body).toMatchObject({ object: 'chat.completion', model: 'tiny', provider: 'local', choices: [{ index: 0, finish_reason: 'length', message: { role: 'assistant' } }] });
    expect(r.headers['x-cave-provider']).toBe('local');
    expect(r.body.usage.completion_tokens).toBe(24);
    const direct = await directCompletion(modelPath, renderPrompt(messages), 24, CONTEXT);
    expect(r.body.choices[0].message.content).toBe(direct.text);
    // The writer is deterministic (seeded weights), so the greedy text is known byte for byte.
    expect(direct.text).toBe('a)ATL b t.2 oo a n bVR )9)VR k');
    const again = await request(t.url).post('/api/v1/llm/chat').set('authorization', `Bearer ${a}`).send({ ...body, seed: 7 }).expect(200);
    expect(again.body.choices[0].message.content).toBe(direct.text);

    // Usage is an event: token counts, provider, hashes; no text unless the namespace opted in.
    const event = await chatEvent(t.url, a, r.body.id.replace('chatcmpl-', ''));
    expect(event.data).toMatchObject({ model: 'tiny', provider: 'local', providerKind: 'local', fallbacks: [], completionTokens: 24, finishReason: 'length', stream: false });
    expect(event.data.promptTokens).toBeGreaterThan(10);
    expect(event.data.outputSha256).toBe(createHash('sha256').update(direct.text).digest('hex'));
    expect(event.data.promptSha256).toBe(createHash('sha256').update(JSON.stringify(messages)).digest('hex'));
    expect(event.data).not.toHaveProperty('output');
    expect(event.data).not.toHaveProperty('prompt');
    expect(typeof event.data.firstTokenMs).toBe('number');
  });

  it('streams to the official openai client the same text node-llama-cpp produces directly', async () => {
    const conversation = [
      { role: 'system' as const, content: 'You are terse.' },
      { role: 'user' as const, content: 'Count: one two three' },
    ];
    const chunks: string[] = [];
    const s = await client(a).chat.completions.create({ model: 'tiny', messages: conversation, max_tokens: 40, temperature: 0, seed: 1, stream: true, stream_options: { include_usage: true } });
    let usage: { completion_tokens?: number } | undefined;
    let finish: string | null | undefined;
    let id = '';
    for await (const c of s) {
      id = c.id;
      if (c.usage) usage = c.usage;
      const choice = c.choices[0];
      if (choice?.delta?.content) chunks.push(choice.delta.content);
      if (choice?.finish_reason) finish = choice.finish_reason;
    }
    const direct = await directCompletion(modelPath, renderPrompt(conversation), 40, CONTEXT);
    // Streamed, not whole (tokens closer together than CAVE_LLM_STREAM_COALESCE_MS share a chunk).
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.join('')).toBe(direct.text);
    expect(finish).toBe('length');
    expect(usage?.completion_tokens).toBe(40);
    // [DONE] came after chat_completed was durable: it is there at once, without waiting for it.
    const recorded = await request(t.url).get(`/api/v1/events?streamId=llm_chat-${id.replace('chatcmpl-', '')}&type=chat_completed`).set('authorization', `Bearer ${a}`).expect(200);
    expect(recorded.body.items).toHaveLength(1);
    const whole = await client(a).chat.completions.create({ model: 'tiny', messages: conversation, max_tokens: 40, temperature: 0 });
    expect(whole.choices[0].message.content).toBe(direct.text);
  });

  it("returns embeddings of the model's dimension through the openai client, equal to node-llama-cpp's", async () => {
    const r = await client(a).embeddings.create({ model: 'tiny', input: ['hello', 'a longer sentence'] });
    expect(r.data).toHaveLength(2);
    expect(r.data.map((d) => d.embedding.length)).toEqual([TINY_GGUF_EMBEDDING_LENGTH, TINY_GGUF_EMBEDDING_LENGTH]);
    const direct = await directCompletion(modelPath, 'hello', 1, CONTEXT);
    expect(direct.embeddingLength).toBe(TINY_GGUF_EMBEDDING_LENGTH);
    r.data[0].embedding.forEach((v, i) => expect(v).toBeCloseTo(direct.vector[i], 5));
    const plain = await request(t.url).post('/api/v1/llm/embed').set('authorization', `Bearer ${a}`).send({ model: 'tiny', input: 'hello' }).expect(200);
    expect(plain.body).toMatchObject({ object: 'list', model: 'tiny', provider: 'local', data: [{ object: 'embedding', index: 0 }] });
    expect(plain.body.data[0].embedding).toHaveLength(TINY_GGUF_EMBEDDING_LENGTH);
    expect(plain.body.usage.prompt_tokens).toBeGreaterThan(0);
    const up = await request(t.url).post('/api/v1/llm/embed').set('authorization', `Bearer ${a}`).send({ model: 'up', input: ['x', 'y'] }).expect(200);
    expect(up.body.data.map((d: { embedding: number[] }) => d.embedding.length)).toEqual([UPSTREAM_DIMENSIONS, UPSTREAM_DIMENSIONS]);
  });

  it('falls back past a failing and a hanging upstream to the local model, and the event says who answered', async () => {
    const chunks: string[] = [];
    const s = await client(a).chat.completions.create({ model: 'fb', messages, max_tokens: 24, temperature: 0, stream: true });
    let id = '';
    for await (const c of s) {
      id = c.id;
      if (c.choices[0]?.delta?.content) chunks.push(c.choices[0].delta.content);
    }
    expect(chunks.join('')).toBe('a)ATL b t.2 oo a n bVR )9)VR k');
    const event = await chatEvent(t.url, a, id.replace('chatcmpl-', ''));
    expect(event.data.provider).toBe('local');
    expect(event.data.fallbacks).toEqual([
      { provider: `openai-compatible:${new URL(fail.url).host}`, error: expect.stringContaining('HTTP 500') },
      { provider: `openai-compatible:${new URL(hang.url).host}`, error: expect.stringContaining('LLM.FIRST_TOKEN_TIMEOUT') },
    ]);
    expect(hang.requests.length).toBeGreaterThan(0);
  });

  it('streams an OpenAI-compatible upstream through unchanged when the first provider fails', async () => {
    const r = await client(a).chat.completions.create({ model: 'up', messages, max_tokens: 16, temperature: 0 });
    expect(r.choices[0].message.content).toBe(UPSTREAM_CHUNKS.join(''));
    const event = await chatEvent(t.url, a, r.id.replace('chatcmpl-', ''));
    expect(event.data).toMatchObject({ provider: `openai-compatible:${new URL(stream.url).host}`, providerKind: 'openai-compatible', completionTokens: UPSTREAM_CHUNKS.length });
    expect(event.data.fallbacks).toHaveLength(1);
    // The upstream got the model name it knows and the namespace's bound, never the caller's key.
    const sent = stream.requests.find((q) => q.path === '/v1/chat/completions')!;
    expect(sent).toMatchObject({ model: 'upstream-model', max_tokens: 16, stream: true });
  });

  it('answers 503 with every attempt when no provider answers', async () => {
    const r = await request(t.url).post('/api/v1/llm/chat').set('authorization', `Bearer ${a}`).send({ model: 'dead', messages }).expect(503);
    expect(r.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(r.body.code).toBe('LLM.PROVIDERS_FAILED');
    expect(r.body.attempts).toHaveLength(2);
    expect(r.headers['retry-after']).toBeDefined();
  });

  it('stops generating when the client disconnects mid-stream', async () => {
    const u = new URL(`${t.url}/api/v1/llm/chat`);
    const chatId = await new Promise<string>((resolve, reject) => {
      const req = httpRequest(
        { host: u.hostname, port: u.port, path: u.pathname, method: 'POST', headers: { authorization: `Bearer ${a}`, 'content-type': 'application/json' } },
        (res) => {
          if (res.statusCode !== 200) return reject(new Error(`status ${res.statusCode}`));
          const id = String(res.headers['x-cave-chat-id']);
          let seen = 0;
          res.on('data', () => {
            // The role chunk and a couple of text chunks, then the client walks away.
            if (++seen === 3) {
              req.destroy();
              resolve(id);
            }
          });
        },
      );
      req.on('error', () => undefined);
      req.end(JSON.stringify({ model: 'tiny', messages, max_tokens: 4000, temperature: 0, stream: true }));
    });
    const event = await chatEvent(t.url, a, chatId);
    expect(event.data.finishReason).toBe('cancelled');
    expect(event.data.completionTokens).toBeLessThan(1000);
  });

  it('a client that stops reading stops the generation: the daemon buffers a bounded amount, then resumes on drain', async () => {
    // The client reaches the daemon's HTTP server through a Unix socket (each accepted connection is handed to it,
    // as its TCP listener would): loopback TCP autotunes its buffers to megabytes, more than the whole answer, so a
    // reader that stops would go unnoticed; a Unix socket buffers some 50 KB and the daemon's own flow control shows.
    const server = t.app.getHttpServer() as Server;
    const path = join(mkdtempSync(join(tmpdir(), 'cave-llm-bp-')), 'http.sock');
    const bridge = createServer((s) => server.emit('connection', s));
    await new Promise<void>((resolve) => bridge.listen(path, resolve));
    const accepted = once(bridge, 'connection') as Promise<[Socket]>;
    const client = connect(path);
    await once(client, 'connect');
    const [socket] = await accepted;
    // What the model generated (the worker's own count), apart from what reached the socket.
    const generated = async () => {
      const text = (await request(t.url).get('/metrics').set('authorization', `Bearer ${ADMIN}`).expect(200)).text;
      return Number(/^cave_llm_local_tokens_total (\d+)/m.exec(text)?.[1] ?? 0);
    };
    const before = await generated();
    let chatId = '';
    try {
      const body = JSON.stringify({ model: 'tiny', messages, max_tokens: 3000, temperature: 0, stream: true });
      client.write(`POST /api/v1/llm/chat HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: Bearer ${a}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
      // Read the head and the first chunks, then stop reading: the kernel buffers on both ends fill, then the daemon's.
      let head = '';
      await new Promise<void>((resolve) => {
        const onData = (b: Buffer) => {
          head += b.toString('latin1');
          if (head.includes('"content":"')) {
            client.off('data', onData);
            client.pause();
            resolve();
          }
        };
        client.on('data', onData);
      });
      expect(head).toMatch(/^HTTP\/1\.1 200/);
      chatId = /x-cave-chat-id: ([0-9a-f-]+)/i.exec(head)![1];
      const out = () => ({ sent: socket.bytesWritten, queued: socket.writableLength });
      // Stalled: nothing more leaves the daemon for a while, well before the 3000 tokens were made. Tokens closer
      // together than CAVE_LLM_STREAM_COALESCE_MS share an event (here some 8, about 25 bytes a token), so the
      // socket buffers hold over a thousand tokens; the whole answer (some 75 KB of events) is more than they take.
      let last = -1;
      let since = performance.now();
      const stalled = await waitFor(async () => {
        const o = out();
        if (o.sent !== last) [last, since] = [o.sent, performance.now()];
        return performance.now() - since > 1_000 ? o : undefined;
      }, 30_000, 'the stream to stall behind the client that stopped reading');
      // Paused, not finished: no chat_completed yet, and the model stopped too, short of 3000 tokens. Bounded: at
      // most a socket high-water mark and one event in user space; nothing grows while the client is away.
      const early = await request(t.url).get(`/api/v1/events?streamId=llm_chat-${chatId}&type=chat_completed`).set('authorization', `Bearer ${a}`).expect(200);
      expect(early.body.items).toEqual([]);
      expect(stalled.queued).toBeLessThan(64 * 1024);
      const paused = (await generated()) - before;
      expect(paused).toBeGreaterThan(0);
      expect(paused).toBeLessThan(3000);
      await new Promise((r) => setTimeout(r, 500));
      expect(out()).toEqual(stalled);
      expect((await generated()) - before).toBe(paused);

      // Reading again drains it, and the generation resumes and runs to the end.
      let tail = '';
      client.on('data', (b: Buffer) => void (tail = (tail + b.toString('latin1')).slice(-256)));
      client.resume();
      await waitFor(async () => (tail.includes('data: [DONE]') ? true : undefined), 30_000, 'the rest of the stream after the client resumed');
    } finally {
      // A paused connection left open would keep the app from closing.
      client.destroy();
      bridge.close();
    }
    const event = await chatEvent(t.url, a, chatId);
    expect(event.data).toMatchObject({ finishReason: 'length', completionTokens: 3000 });
    expect((await generated()) - before).toBe(3000);
  });

  it('keeps a namespace-bound alias from other namespaces and refuses unknown models (404)', async () => {
    await request(t.url).post('/api/v1/llm/chat').set('authorization', `Bearer ${a}`).send({ model: 'team-a-only', messages, max_tokens: 2 }).expect(200);
    const r = await request(t.url).post('/api/v1/llm/chat').set('authorization', `Bearer ${b}`).send({ model: 'team-a-only', messages, max_tokens: 2 }).expect(404);
    expect(r.body.code).toBe('LLM.MODEL_NOT_FOUND');
    await request(t.url).post('/api/v1/llm/embed').set('authorization', `Bearer ${b}`).send({ model: 'team-a-only', input: 'x' }).expect(404);
    await request(t.url).post('/api/v1/llm/chat').set('authorization', `Bearer ${a}`).send({ model: 'nope', messages }).expect(404);
    await request(t.url).post('/api/v1/llm/chat').send({ model: 'tiny', messages }).expect(401);
  });

  it.each([
    ['no messages', { model: 'tiny' }, 'messages'],
    ['empty messages', { model: 'tiny', messages: [] }, 'messages'],
    ['an unknown role', { model: 'tiny', messages: [{ role: 'wizard', content: 'x' }] }, 'messages.0.role'],
    ['image content', { model: 'tiny', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'x' } }] }] }, 'messages.0.content'],
    ['tools', { model: 'tiny', messages, tools: [] }, 'tools'],
    ['n > 1', { model: 'tiny', messages, n: 2 }, 'n'],
    ['a negative temperature', { model: 'tiny', messages, temperature: -1 }, 'temperature'],
    ['a fractional max_tokens', { model: 'tiny', messages, max_tokens: 1.5 }, 'max_tokens'],
    ['a string stream flag', { model: 'tiny', messages, stream: 'yes' }, 'stream'],
    ['five stop sequences', { model: 'tiny', messages, stop: ['a', 'b', 'c', 'd', 'e'] }, 'stop'],
    ['no model', { messages }, 'model'],
  ])('refuses a chat with %s (400 naming the field)', async (_what, body, field) => {
    const r = await request(t.url).post('/api/v1/llm/chat').set('authorization', `Bearer ${a}`).send(body).expect(400);
    expect(r.body.code).toBe('HTTP.VALIDATION');
    expect(r.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  it('refuses other bad input with clear 4xx answers', async () => {
    const auth = { authorization: `Bearer ${a}` };
    await request(t.url).post('/api/v1/llm/chat').set(auth).send([1, 2]).expect(400);
    await request(t.url).post('/api/v1/llm/chat').set(auth).set('content-type', 'text/plain').send('hi').expect(415);
    await request(t.url).post('/api/v1/llm/embed').set(auth).send({ model: 'tiny', input: [] }).expect(400);
    await request(t.url).post('/api/v1/llm/embed').set(auth).send({ model: 'tiny', input: 'x', dimensions: 8 }).expect(400);
    await request(t.url).post('/api/v1/llm/chat').set(auth).set('x-cave-chat-id', 'not-a-uuid').send({ model: 'tiny', messages }).expect(400);
    const small = await issueKey(t.url, 'team-small');
    const r = await request(t.url).post('/api/v1/llm/chat').set('authorization', `Bearer ${small}`).send({ model: 'tiny', messages, max_tokens: 9 }).expect(400);
    expect(r.body.errors[0]).toMatchObject({ field: 'max_tokens' });
    // Without max_tokens the policy's bound is the default.
    const ok = await request(t.url).post('/api/v1/llm/chat').set('authorization', `Bearer ${small}`).send({ model: 'tiny', messages }).expect(200);
    expect(ok.body.usage.completion_tokens).toBe(8);
    const long = await request(t.url).post('/api/v1/llm/chat').set(auth).send({ model: 'tiny', messages: [{ role: 'user', content: 'word '.repeat(5000) }], max_tokens: 4 }).expect(400);
    expect(long.body.code).toBe('LLM.CONTEXT_TOO_LONG');
    await request(t.url).get('/api/v1/llm/usage?from=2026-13-01').set(auth).expect(400);
  });

  it("enforces the namespace's tokens per day before generating (429), and counts usage per day and model under RLS", async () => {
    const q = await issueKey(t.url, 'team-q');
    const auth = { authorization: `Bearer ${q}` };
    await request(t.url).post('/api/v1/llm/chat').set(auth).send({ model: 'tiny', messages, max_tokens: 4 }).expect(200);
    const usage = await waitFor(async () => {
      const r = await request(t.url).get('/api/v1/llm/usage').set(auth).expect(200);
      return r.body.items.length > 0 ? r.body.items : undefined;
    });
    expect(usage).toEqual([{ day: new Date().toISOString().slice(0, 10), model: 'tiny', requests: 1, promptTokens: expect.any(Number), completionTokens: 4 }]);
    expect(usage[0].promptTokens + 4).toBeGreaterThanOrEqual(30);
    const r = await request(t.url).post('/api/v1/llm/chat').set(auth).send({ model: 'tiny', messages, max_tokens: 4 }).expect(429);
    expect(r.body.code).toBe('LLM.QUOTA_EXCEEDED');
    expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
    await request(t.url).post('/api/v1/llm/embed').set(auth).send({ model: 'tiny', input: 'x' }).expect(429);
    // Another namespace sees none of it.
    const other = await request(t.url).get('/api/v1/llm/usage').set('authorization', `Bearer ${b}`).expect(200);
    expect(other.body.items).toEqual([]);
  });

  it('keeps prompt and output text in the event only when the namespace opted in', async () => {
    const s = await issueKey(t.url, 'team-s');
    const r = await request(t.url).post('/api/v1/llm/chat').set('authorization', `Bearer ${s}`).send({ model: 'tiny', messages, max_tokens: 24, temperature: 0 }).expect(200);
    const event = await chatEvent(t.url, s, r.body.id.replace('chatcmpl-', ''));
    expect(event.data.output).toBe(r.body.choices[0].message.content);
    expect(event.data.prompt).toBe(JSON.stringify(messages));
  });

  it('streams tokens over /realtime on a per-request channel only its own namespace can join', async () => {
    const opened = await request(t.url).post('/api/v1/llm/channels').set('authorization', `Bearer ${a}`).expect(201);
    const { chatId, channel } = opened.body as { chatId: string; channel: string };
    expect(channel).toBe(`stream:llm_chat-${chatId}`);
    const mine = await RealtimeTestClient.connect(t.url, a);
    const theirs = await RealtimeTestClient.connect(t.url, b);
    try {
      const tokens: { seq: number; delta: string }[] = [];
      let done: Record<string, unknown> | undefined;
      mine.socket.on('llm_token', (m: { channel: string; seq: number; delta: string }) => tokens.push(m));
      mine.socket.on('llm_done', (m: Record<string, unknown>) => (done = m));
      const leaked: unknown[] = [];
      theirs.socket.on('llm_token', (m: unknown) => leaked.push(m));
      expect(await mine.subscribe({ channel })).toEqual({ ok: true, channel });
      const refused = await theirs.subscribe({ channel });
      expect(refused.ok).toBe(false);
      const r = await request(t.url).post('/api/v1/llm/chat').set('authorization', `Bearer ${a}`).set('x-cave-chat-id', chatId).send({ model: 'tiny', messages, max_tokens: 24, temperature: 0 }).expect(200);
      expect(r.body.id).toBe(`chatcmpl-${chatId}`);
      await waitFor(() => done);
      expect(tokens.map((m) => m.seq)).toEqual(tokens.map((_, i) => i));
      expect(tokens.map((m) => m.delta).join('')).toBe(r.body.choices[0].message.content);
      expect(done).toMatchObject({ channel, chatId, finishReason: 'length', completionTokens: 24, provider: 'local' });
      expect(leaked).toEqual([]);
      // Another namespace cannot use the channel, and one channel carries one chat.
      await request(t.url).post('/api/v1/llm/chat').set('authorization', `Bearer ${b}`).set('x-cave-chat-id', chatId).send({ model: 'tiny', messages, max_tokens: 2 }).expect(404);
      const used = await request(t.url).post('/api/v1/llm/chat').set('authorization', `Bearer ${a}`).set('x-cave-chat-id', chatId).send({ model: 'tiny', messages, max_tokens: 2 }).expect(409);
      expect(used.body.code).toBe('LLM.CHANNEL_USED');
    } finally {
      mine.close();
      theirs.close();
    }
  });
});
