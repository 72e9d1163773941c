import { Body, Controller, Headers, HttpCode, Post, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { InvalidInputError } from '@cave/kernel';
import type { CommandMeta } from '@cave/kernel';
import { ApiProblems, CurrentCommandMeta } from '@cave/http';
import { ChatResult, ChatSink, CompleteChatCommand } from '../commands/complete-chat/complete-chat.command';
import { OpenChannelCommand } from '../commands/open-channel/open-channel.command';
import { parseChatRequest } from '../domain/chat-request';
import { ProvidersFailedError } from '../domain/llm.errors';
import { ChatChannelDto, ChatCompletionDto, ChatCompletionRequestDto } from './llm.dto';
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
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function channelHeader(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  if (!UUID.test(v)) throw new InvalidInputError([{ field: 'X-Cave-Chat-Id', message: 'X-Cave-Chat-Id must be the chatId of an open channel (a UUID)' }]);
  return v.toLowerCase();
}

/** `POST /api/v1/llm/chat`: the OpenAI chat-completions API (whole or as Server-Sent Events). */
@ApiTags('llm')
@ApiBearerAuth('apiKey')
@ApiProblems(401, 403)
@Controller('api/v1/llm')
export class ChatController {
  constructor(private readonly commands: CommandBus) {}

  @Post(['chat', 'chat/completions'])
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
  @ApiHeader({ name: 'X-Cave-Chat-Id', required: false, description: 'chatId of a channel from POST /api/v1/llm/channels: tokens also go to its /realtime subscribers' })
  @ApiProblems(400, 404, 409, 429, 503)
  async chat(@Body() body: unknown, @CurrentCommandMeta() meta: CommandMeta, @Res() reply: FastifyReply, @Headers('x-cave-chat-id') chatHeader?: string): Promise<void> {
    const receivedAt = performance.now();
    const request = parseChatRequest(body);
    const channelId = channelHeader(chatHeader);
    const signal = clientGone(reply);
    if (!request.stream) {
      let text = '';
      const sink: ChatSink = { start: () => undefined, chunk: (t) => void (text += t) };
      const r: ChatResult = await this.commands.execute(new CompleteChatCommand(request, meta, sink, signal, receivedAt, channelId));
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
    // A text chunk is the same JSON every time but for the text: only that is serialised per chunk.
    let before = '';
    const after = '},"finish_reason":null,"logprobs":null}]}';
    const sink: ChatSink = {
      // Headers wait for the first token: until then a failure of every provider is still a problem+json answer.
      start: ({ chatId, created, provider }) => {
        head = { id: completionId(chatId), object: 'chat.completion.chunk', created, model: request.model };
        before = `${JSON.stringify(head).slice(0, -1)},"choices":[{"index":0,"delta":{"content":`;
        reply.hijack();
        sse.open({ 'x-cave-provider': provider, 'x-cave-chat-id': chatId });
        void sse.data({ ...head, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null, logprobs: null }] });
      },
      chunk: (t) => sse.data(before + JSON.stringify(t) + after),
    };
    let r: ChatResult;
    try {
      r = await this.commands.execute(new CompleteChatCommand(request, meta, sink, signal, receivedAt, channelId));
    } catch (e) {
      // Before the first text nothing was sent: the error is a problem+json answer like any other. After it, only
      // the usage record can fail: the stream ends with an error event, not `[DONE]`.
      if (!head) throw e;
      await sse.data({ error: { message: 'the usage of this answer could not be recorded', code: 'LLM.USAGE_NOT_RECORDED', type: 'server_error' } });
      sse.end();
      return;
    }
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

  @Post('channels')
  @ApiOperation({
    summary: 'Open a realtime channel for one chat',
    description:
      'Appends `chat_channel_opened`. Subscribe to `channel` on /realtime (only keys of your namespace can), then send the chat with ' +
      '`X-Cave-Chat-Id: <chatId>`: every text delta arrives as `llm_token {chatId, seq, delta}`, the end as `llm_done`. One chat per channel.',
  })
  @ApiCreatedResponse({ type: ChatChannelDto })
  async open(@CurrentCommandMeta() meta: CommandMeta): Promise<ChatChannelDto> {
    const { chatId, streamId } = await this.commands.execute(new OpenChannelCommand(meta));
    return { chatId, channel: `stream:${streamId}` };
  }
}
