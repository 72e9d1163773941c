import { Logger } from '@nestjs/common';
import type { CommandBus } from '@nestjs/cqrs';
import type { FastifyReply } from 'fastify';
import type { CaveConfig } from '@cave/config';
import type { CommandRunner, EventStore } from '@cave/event-store';
import type { CommandMeta } from '@cave/kernel';
import { CompleteChatHandler } from '../commands/complete-chat/complete-chat.handler';
import type { CompleteChatCommand } from '../commands/complete-chat/complete-chat.command';
import type { UsageGuard } from '../commands/usage-guard';
import { ModelNotFoundError, QuotaExceededError } from '../domain/llm.errors';
import type { ModelRouter } from '../providers/model-router';
import type { LlmProvider } from '../providers/provider';
import { ChatController } from './chat.controller';

const meta: CommandMeta = { actor: 'key-1', namespace: 'team-a', role: 'member', correlationId: 'c-1', channel: 'http' };

/** A raw response that records what the SSE writer sends; the socket always takes the bytes. */
function fakeReply() {
  const writes: string[] = [];
  const raw = {
    writes,
    ended: false,
    destroyed: false,
    get writableEnded() {
      return this.ended;
    },
    get writableFinished() {
      return this.ended;
    },
    socket: { setNoDelay: () => undefined },
    writeHead: () => undefined,
    cork: () => undefined,
    uncork: () => undefined,
    write(line: string) {
      writes.push(line);
      return true;
    },
    end() {
      this.ended = true;
    },
    on: () => raw,
    off: () => raw,
  };
  const reply = { raw, hijack: () => undefined } as unknown as FastifyReply;
  return { reply, raw };
}

/** The controller over the real handler; the usage record (`CommandRunner.run`) resolves or fails when the test says. */
function setup(over: { router?: Partial<ModelRouter>; guard?: Partial<UsageGuard> } = {}) {
  let settle!: { resolve: () => void; reject: (e: Error) => void };
  const recorded = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
  const provider: LlmProvider = {
    label: 'local',
    kind: 'local',
    async chat(_call, sink) {
      sink.started({ promptTokens: 3 });
      await sink.chunk('hello');
      await sink.chunk(' world');
      return { promptTokens: 3, completionTokens: 2, finishReason: 'stop' };
    },
    embed: async () => ({ vectors: [], promptTokens: 0 }),
  };
  const config = { llm: { firstTokenTimeoutMs: 1_000 } } as CaveConfig;
  const router = { resolve: async (_ns: string, model: string) => ({ model, providers: [provider] }), ...over.router } as unknown as ModelRouter;
  const guard = { policy: () => ({ maxTokens: 16, contextTokens: 64, tokensPerDay: 0, storeText: false }), assertQuota: async () => undefined, ...over.guard } as unknown as UsageGuard;
  const runner = { run: () => recorded } as unknown as CommandRunner;
  const handler = new CompleteChatHandler(config, router, guard, runner, {} as EventStore);
  const bus = { execute: (c: CompleteChatCommand) => handler.execute(c) } as unknown as CommandBus;
  return { controller: new ChatController(bus), settle, provider };
}

const body = { model: 'tiny', messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: true } };
const tick = () => new Promise((r) => setImmediate(r));

describe('ChatController streaming (SSE)', () => {
  it('ends the stream ([DONE]) only after chat_completed was recorded', async () => {
    const { controller, settle } = setup();
    const { reply, raw } = fakeReply();
    const answered = controller.chat(body, meta, reply);
    for (let i = 0; i < 5; i++) await tick();
    // Every token is out, the record is not durable yet: no end of the stream, no usage chunk.
    expect(raw.writes.join('')).toContain('" world"');
    expect(raw.writes.join('')).not.toContain('[DONE]');
    expect(raw.writes.join('')).not.toContain('"usage"');
    expect(raw.ended).toBe(false);
    settle.resolve();
    await answered;
    expect(raw.writes.at(-1)).toBe('data: [DONE]\n\n');
    expect(raw.writes.join('')).toContain('"completion_tokens":2');
    expect(raw.ended).toBe(true);
  });

  it('ends a stream whose usage could not be recorded with an error event, not [DONE]', async () => {
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const { controller, settle } = setup();
    const { reply, raw } = fakeReply();
    const answered = controller.chat(body, meta, reply);
    await tick();
    settle.reject(new Error('database gone'));
    await answered;
    const sent = raw.writes.join('');
    expect(sent).toContain('"hello"');
    expect(sent).toContain('LLM.USAGE_NOT_RECORDED');
    expect(sent).not.toContain('[DONE]');
    expect(raw.ended).toBe(true);
    expect(logged).toHaveBeenCalledWith(expect.objectContaining({ namespace: 'team-a' }), 'chat_completed could not be recorded');
    logged.mockRestore();
  });

  it('checks model, quota and channel at once, before any model runs, and refuses the model first', async () => {
    let route!: (r: Promise<never>) => void;
    const quotaChecked = jest.fn(async () => {
      throw new QuotaExceededError(100, 100, 60);
    });
    const { controller, provider } = setup({ router: { resolve: () => new Promise((r) => (route = r)) }, guard: { assertQuota: quotaChecked } });
    const chat = jest.spyOn(provider, 'chat');
    const { reply, raw } = fakeReply();
    const answered = controller.chat(body, meta, reply);
    await tick();
    // The quota read is in flight while the model is still being resolved (one round trip each, not one after another).
    expect(quotaChecked).toHaveBeenCalledTimes(1);
    route(Promise.reject(new ModelNotFoundError('tiny')));
    await expect(answered).rejects.toBeInstanceOf(ModelNotFoundError);
    expect(chat).not.toHaveBeenCalled();
    expect(raw.writes).toEqual([]);
  });

  it('refuses with 429 before any model runs when only the quota is used up', async () => {
    const { controller, provider } = setup({ guard: { assertQuota: async () => Promise.reject(new QuotaExceededError(100, 100, 60)) } });
    const chat = jest.spyOn(provider, 'chat');
    await expect(controller.chat(body, meta, fakeReply().reply)).rejects.toBeInstanceOf(QuotaExceededError);
    expect(chat).not.toHaveBeenCalled();
  });
});
