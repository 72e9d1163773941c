import { Body, Controller, HttpCode, Post, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { CommandMeta } from '@cave/kernel';
import { ApiProblems, CurrentCommandMeta } from '@cave/http';
import { ChatResult, ChatSink, CompleteChatCommand } from '../commands/complete-chat/complete-chat.command';
import { parseChatRequest } from '../domain/chat-request';
import { ProvidersFailedError } from '../domain/llm.errors';
import { ChatCompletionDto, ChatCompletionRequestDto } from './llm.dto';
import { SseWriter } from './sse-writer';

/** Aborted when the client goes away before the whole answer was written. */
function clientGone(reply: FastifyReply): AbortSignal {
  const ac = new AbortController();
  reply.raw.on('close', () => {
    if (!reply.raw.writableFinished) ac.abort();
  });
  return ac.signal;
}

const completionId = (chatId: string) => `chatcmpl-${chatId}`;

/** `POST /api/v1/llm/chat`: the OpenAI chat-completions API (whole or as Server-Sent Events). */
@ApiTags('llm')
@ApiBearerAuth('apiKey')
@ApiProblems(401, 403)
@Controller('api/v1/llm')
export class ChatController {
  constructor(private readonly commands: CommandBus) {}

  @Post('chat')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Chat completion (OpenAI shape)',
    description:
      'Runs the model through its providers in order (fallback on failure or timeout before the first token). `stream: true` answers ' +
      '`text/event-stream` chunks (`chat.completion.chunk`) ending with `data: [DONE]`; a client that disconnects stops the generation. ' +
      'Records `chat_completed`. 404 for a model your namespace may not use, 429 when today\'s token quota is used up.',
  })
  @ApiBody({ type: ChatCompletionRequestDto })
  @ApiOkResponse({ type: ChatCompletionDto, description: 'The whole completion, or (stream: true) text/event-stream' })
  @ApiProduces('application/json', 'text/event-stream')
  @ApiProblems(400, 404, 429, 503)
  async chat(@Body() body: unknown, @CurrentCommandMeta() meta: CommandMeta, @Res() reply: FastifyReply): Promise<void> {
    const receivedAt = performance.now();
    const request = parseChatRequest(body);
    const signal = clientGone(reply);
    if (!request.stream) {
      let text = '';
      const sink: ChatSink = { start: () => undefined, chunk: (t) => void (text += t) };
      const r: ChatResult = await this.commands.execute(new CompleteChatCommand(request, meta, sink, signal, receivedAt));
      if (r.error) throw new ProvidersFailedError([{ provider: r.provider, error: r.error }]);
      if (signal.aborted) return;
      void reply
        .status(200)
        .header('x-cave-provider', r.provider)
        .send({
          id: completionId(r.chatId),
          object: 'chat.completion',
          created: r.created,
          model: r.model,
          choices: [{ index: 0, message: { role: 'assistant', content: text, refusal: null }, finish_reason: r.finishReason === 'length' ? 'length' : 'stop', logprobs: null }],
          usage: { prompt_tokens: r.promptTokens, completion_tokens: r.completionTokens, total_tokens: r.promptTokens + r.completionTokens },
          provider: r.provider,
        });
      return;
    }
    const sse = new SseWriter(reply.raw);
    let head: { id: string; object: 'chat.completion.chunk'; created: number; model: string } | undefined;
    const sink: ChatSink = {
      // Headers wait for the first token: until then a failure of every provider is still a problem+json answer.
      start: ({ chatId, created, provider }) => {
        head = { id: completionId(chatId), object: 'chat.completion.chunk', created, model: request.model };
        reply.hijack();
        sse.open({ 'x-cave-provider': provider, 'x-cave-chat-id': chatId });
        void sse.data({ ...head, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null, logprobs: null }] });
      },
      chunk: (t) => sse.data({ ...head, choices: [{ index: 0, delta: { content: t }, finish_reason: null, logprobs: null }] }),
    };
    const r: ChatResult = await this.commands.execute(new CompleteChatCommand(request, meta, sink, signal, receivedAt));
    if (r.error) {
      await sse.data({ error: { message: 'the provider failed during the answer', code: 'LLM.PROVIDER_FAILED', type: 'server_error' } });
    } else {
      await sse.data({ ...head, choices: [{ index: 0, delta: {}, finish_reason: r.finishReason === 'length' ? 'length' : 'stop', logprobs: null }] });
      if (request.includeUsage) {
        await sse.data({ ...head, choices: [], usage: { prompt_tokens: r.promptTokens, completion_tokens: r.completionTokens, total_tokens: r.promptTokens + r.completionTokens } });
      }
    }
    await sse.data('[DONE]');
    sse.end();
  }
}
