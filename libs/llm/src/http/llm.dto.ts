import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';
import { CHAT_LIMITS, CHAT_ROLES } from '../domain/chat-request';

export class ChatMessageDto {
  @ApiProperty({ enum: CHAT_ROLES, example: 'user' })
  role: string;

  @ApiProperty({ description: 'A string, or an array of `{type: "text", text}` parts', example: 'Say hello', oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'object' } }] })
  content: string;
}

class StreamOptionsDto {
  @ApiPropertyOptional({ description: 'Send one more chunk with `usage` (and empty `choices`) before `[DONE]`' })
  include_usage?: boolean;
}

/** The OpenAI chat-completions request (the fields CAVE honours; any other field is a 400 naming it). */
export class ChatCompletionRequestDto {
  @ApiProperty({ description: 'A configured alias or a model activated for your namespace', example: 'local', maxLength: CHAT_LIMITS.modelLength })
  model: string;

  @ApiProperty({ type: [ChatMessageDto], minItems: 1, maxItems: CHAT_LIMITS.messages })
  messages: ChatMessageDto[];

  @ApiPropertyOptional({ description: 'Server-Sent Events (`text/event-stream`), ending with `data: [DONE]`', default: false })
  stream?: boolean;

  @ApiPropertyOptional({ type: StreamOptionsDto })
  stream_options?: StreamOptionsDto;

  @ApiPropertyOptional({ description: "Completion tokens at most; default and upper bound: the namespace's policy", minimum: 1 })
  max_tokens?: number;

  @ApiPropertyOptional({ description: 'Same as max_tokens (newer name); wins when both are given', minimum: 1 })
  max_completion_tokens?: number;

  @ApiPropertyOptional({ description: '0 = greedy (deterministic)', minimum: 0, maximum: 2, default: 1 })
  temperature?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 1 })
  top_p?: number;

  @ApiPropertyOptional({ description: 'Sampling seed: with the same seed, model and input the output repeats' })
  seed?: number;

  @ApiPropertyOptional({ description: `Up to ${CHAT_LIMITS.stopSequences} stop sequences (not part of the output)`, oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] })
  stop?: string | string[];

  @ApiPropertyOptional({ description: 'Only 1 is supported', minimum: 1, maximum: 1 })
  n?: number;

  @ApiPropertyOptional({ description: 'Accepted and ignored' })
  user?: string;
}

class AssistantMessageDto {
  @ApiProperty({ example: 'assistant' })
  role: string;
  @ApiProperty()
  content: string;
  @ApiProperty({ nullable: true, type: String })
  refusal: string | null;
}

class ChatChoiceDto {
  @ApiProperty()
  index: number;
  @ApiProperty({ type: AssistantMessageDto })
  message: AssistantMessageDto;
  @ApiProperty({ enum: ['stop', 'length'] })
  finish_reason: string;
  @ApiProperty({ nullable: true, type: Object })
  logprobs: null;
}

export class UsageDto {
  @ApiProperty()
  prompt_tokens: number;
  @ApiPropertyOptional()
  completion_tokens?: number;
  @ApiProperty()
  total_tokens: number;
}

export class ChatCompletionDto {
  @ApiProperty({ example: 'chatcmpl-6f1c...' })
  id: string;
  @ApiProperty({ example: 'chat.completion' })
  object: string;
  @ApiProperty({ description: 'Unix seconds' })
  created: number;
  @ApiProperty()
  model: string;
  @ApiProperty({ type: [ChatChoiceDto] })
  choices: ChatChoiceDto[];
  @ApiProperty({ type: UsageDto })
  usage: UsageDto;
  @ApiProperty({ description: 'The provider that answered (after fallback)', example: 'local' })
  provider: string;
}

/** The OpenAI embeddings request (text inputs). */
export class EmbeddingsRequestDto {
  @ApiProperty({ example: 'local' })
  model: string;

  @ApiProperty({ description: 'A string or up to 256 strings', oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] })
  input: string | string[];

  @ApiPropertyOptional({ enum: ['float', 'base64'], default: 'float', description: 'base64: little-endian float32 bytes (what the openai client asks for)' })
  encoding_format?: string;

  @ApiPropertyOptional({ description: 'Accepted and ignored' })
  user?: string;
}

class EmbeddingDto {
  @ApiProperty({ example: 'embedding' })
  object: string;
  @ApiProperty()
  index: number;
  @ApiProperty({ description: 'Numbers, or a base64 string for encoding_format base64', oneOf: [{ type: 'array', items: { type: 'number' } }, { type: 'string' }] })
  embedding: number[] | string;
}

export class EmbeddingsDto {
  @ApiProperty({ example: 'list' })
  object: string;
  @ApiProperty({ type: [EmbeddingDto] })
  data: EmbeddingDto[];
  @ApiProperty()
  model: string;
  @ApiProperty({ type: UsageDto })
  usage: UsageDto;
  @ApiProperty({ example: 'local' })
  provider: string;
}

export class UsageQueryDto {
  @ApiPropertyOptional({ description: 'First UTC day (YYYY-MM-DD), default today', pattern: '^\\d{4}-\\d{2}-\\d{2}$' })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'from must be a UTC day YYYY-MM-DD' })
  from?: string;
  @ApiPropertyOptional({ description: 'Last UTC day (YYYY-MM-DD), default `from`', pattern: '^\\d{4}-\\d{2}-\\d{2}$' })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'to must be a UTC day YYYY-MM-DD' })
  to?: string;
}

class UsageItemDto {
  @ApiProperty({ example: '2026-12-01' })
  day: string;
  @ApiProperty()
  model: string;
  @ApiProperty()
  requests: number;
  @ApiProperty()
  promptTokens: number;
  @ApiProperty()
  completionTokens: number;
}

export class UsageListDto {
  @ApiProperty({ type: [UsageItemDto] })
  items: UsageItemDto[];
}

export class ChatChannelDto {
  @ApiProperty({ description: 'Send it as X-Cave-Chat-Id with the chat' })
  chatId: string;
  @ApiProperty({ example: 'stream:llm_chat-6f1c...', description: 'The /realtime channel to subscribe to' })
  channel: string;
}
